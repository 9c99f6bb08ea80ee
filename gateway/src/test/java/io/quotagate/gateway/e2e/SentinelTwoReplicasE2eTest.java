package io.quotagate.gateway.e2e;

import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.testkit.RedisSentinelSet;
import io.quotagate.gateway.testkit.RedisTopologyExtension;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The two-replica balance test through Sentinel: the replicas know only the three sentinels and the master's name. */
class SentinelTwoReplicasE2eTest extends TwoReplicasE2eContract {

    @RegisterExtension
    static final RedisTopologyExtension<RedisSentinelSet> SENTINEL = RedisTopologyExtension.sharedSentinel();

    @Override
    protected RedisConfig redis() {
        SENTINEL.topology().flushAll();
        return SENTINEL.topology().config(Duration.ofSeconds(3), 3);
    }
}
