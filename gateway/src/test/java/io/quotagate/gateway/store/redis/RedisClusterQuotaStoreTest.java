package io.quotagate.gateway.store.redis;

import io.quotagate.gateway.testkit.RedisCluster;
import io.quotagate.gateway.testkit.RedisTopology;
import io.quotagate.gateway.testkit.RedisTopologyExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract on a Redis Cluster of 3 masters with one replica each. */
class RedisClusterQuotaStoreTest extends TopologyQuotaStoreContract {

    @RegisterExtension
    static final RedisTopologyExtension<RedisCluster> CLUSTER = RedisTopologyExtension.sharedCluster();

    @Override
    protected RedisTopology topology() {
        return CLUSTER.topology();
    }
}
