package io.quotagate.gateway.store.redis;

import static io.quotagate.gateway.store.StoreFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.store.StoreFixture;
import io.quotagate.gateway.testkit.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

/** The Redisson client as {@link RedissonClients} builds it: small thread pools, the password, the topology. */
class RedissonClientsTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void sizesThreadsForASmallMachineAndPicksTheTopology() {
        Config single = RedissonClients.config(new RedisConfig("redis://127.0.0.1:6379", null, null, null, null, 2), null);
        Config cluster = RedissonClients.config(new RedisConfig(null, List.of("redis://h1:7000", "redis://h2:7000"), null,
                null, Duration.ofMillis(150), 1), null);
        Config sentinel = RedissonClients.config(new RedisConfig(null, null,
                new RedisConfig.SentinelConfig("mymaster", List.of("redis://s1:26379")), null, null, 1), null);

        assertThat(single.getThreads()).isEqualTo(2);
        assertThat(single.getNettyThreads()).isEqualTo(2);
        assertThat(single.isUseScriptCache()).isFalse();
        assertThat(single.isSingleConfig()).isTrue();
        assertThat(cluster.isClusterConfig()).isTrue();
        assertThat(sentinel.isSentinelConfig()).isTrue();
        // Every pooled connection open from the start (a burst must never wait for one to be made), reads of money
        // from the master only, and a Cluster's slot map read every second (recovery after a failover).
        assertThat(single.useSingleServer().getConnectionMinimumIdleSize()).isEqualTo(RedissonClients.POOL_SIZE);
        assertThat(cluster.useClusterServers().getMasterConnectionMinimumIdleSize()).isEqualTo(RedissonClients.POOL_SIZE);
        assertThat(cluster.useClusterServers().getReadMode()).isEqualTo(ReadMode.MASTER);
        assertThat(cluster.useClusterServers().getScanInterval()).isEqualTo(1000);
        assertThat(sentinel.useSentinelServers().getReadMode()).isEqualTo(ReadMode.MASTER);
        assertThat(sentinel.useSentinelServers().getSlaveConnectionMinimumIdleSize()).isZero();
    }

    @Test
    void authenticatesWithThePassword() {
        REDIS.command("CONFIG", "SET", "requirepass", "s3cret");
        RedisConfig config = new RedisConfig(REDIS.uri(), null, null, "s3cret", Duration.ofSeconds(2), 1);
        try (RedisQuotaStore store = new RedisQuotaStore(RedissonClients.create(config), true)) {
            StoreFixture f = new StoreFixture(store);
            f.create(StoreFixture.DEFAULT, Instant.now());
            assertThat(f.admitted(request()).callsRemaining()).isEqualTo(199);
        }
    }
}
