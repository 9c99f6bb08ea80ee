package io.quotagate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.store.redis.RedisPersistenceCheck.Finding;
import io.quotagate.gateway.store.redis.RedisPersistenceCheck.Risk;
import io.quotagate.gateway.testkit.RedisCluster;
import io.quotagate.gateway.testkit.RedisProcess;
import io.quotagate.gateway.testkit.RedisTopology;
import io.quotagate.gateway.testkit.RedisTopologyExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store contract on a Redis Cluster of 3 masters with one replica each, and the start-up persistence check on
 * every node of it (here because building a cluster client costs seconds).
 */
class RedisClusterQuotaStoreTest extends TopologyQuotaStoreContract {

    @RegisterExtension
    static final RedisTopologyExtension<RedisCluster> CLUSTER = RedisTopologyExtension.sharedCluster();

    @Override
    protected RedisTopology topology() {
        return CLUSTER.topology();
    }

    @Test
    void thePersistenceCheckReadsEveryMaster() {
        List<Finding> findings = RedisPersistenceCheck.warnIfMoneyAtRisk(client());

        // The test kit starts every node without persistence: one finding per master. The client reads money from
        // masters only (RedissonClients: ReadMode.MASTER), so it holds no connection to a replica to ask.
        assertThat(findings).extracting(Finding::risk).containsOnly(Risk.NOT_PERSISTED);
        assertThat(findings).extracting(f -> Integer.parseInt(f.node().substring(f.node().lastIndexOf(':') + 1)))
                .containsExactlyInAnyOrderElementsOf(CLUSTER.topology().masters().stream().map(RedisProcess::port).toList());
    }
}
