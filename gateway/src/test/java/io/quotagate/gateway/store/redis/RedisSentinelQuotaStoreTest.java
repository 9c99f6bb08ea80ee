package io.quotagate.gateway.store.redis;

import io.quotagate.gateway.testkit.RedisSentinelSet;
import io.quotagate.gateway.testkit.RedisTopology;
import io.quotagate.gateway.testkit.RedisTopologyExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract through Sentinel: 1 master, 1 replica, 3 sentinels, the client given only the sentinels. */
class RedisSentinelQuotaStoreTest extends TopologyQuotaStoreContract {

    @RegisterExtension
    static final RedisTopologyExtension<RedisSentinelSet> SENTINEL = RedisTopologyExtension.sharedSentinel();

    @Override
    protected RedisTopology topology() {
        return SENTINEL.topology();
    }
}
