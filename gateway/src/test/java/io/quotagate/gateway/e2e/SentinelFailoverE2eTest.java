package io.quotagate.gateway.e2e;

import io.quotagate.gateway.testkit.RedisSentinelSet;
import io.quotagate.gateway.testkit.RedisTopology;

/** Failover through Sentinel: the sentinels see the master down after 1 s, agree (quorum 2) and promote the replica. */
class SentinelFailoverE2eTest extends FailoverE2eContract {

    @Override
    protected RedisTopology startTopology() {
        return RedisSentinelSet.start();
    }
}
