package io.quotagate.gateway.e2e;

import io.quotagate.gateway.testkit.RedisCluster;
import io.quotagate.gateway.testkit.RedisTopology;

/**
 * Failover in a Redis Cluster: the other masters mark the dead one failed after {@code cluster-node-timeout} and
 * its replica wins the election. Tenants on the other masters are load too: what a failover elsewhere costs them.
 */
class ClusterFailoverE2eTest extends FailoverE2eContract {

    @Override
    protected RedisTopology startTopology() {
        return RedisCluster.start();
    }
}
