package io.quotagate.gateway.store.redis;

import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.QuotaStoreContract;
import io.quotagate.gateway.testkit.RedisTopology;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.redisson.api.RedissonClient;

/**
 * The store contract on {@link RedisQuotaStore} reached through a Redis topology (Sentinel, Cluster) exactly as a
 * replica reaches it: a Redisson client built by {@link RedissonClients} from the {@code store.redis} settings. One
 * client per class (building one per test would dominate the run); each test gets an emptied topology and a new
 * store on that client.
 */
abstract class TopologyQuotaStoreContract extends QuotaStoreContract {

    private static RedissonClient client;

    /** The running topology, from the subclass's extension. */
    protected abstract RedisTopology topology();

    @Override
    protected QuotaStore newStore() {
        topology().flushAll();
        return new RedisQuotaStore(client(), false);
    }

    /** The class's Redisson client, built on first use. */
    protected RedissonClient client() {
        if (client == null) {
            // 10 resends, not 3: Redisson waits for a pooled connection (and for the write) only until its next
            // resend, 50 ms later, so a burst of 16 admits on a loaded machine failed with "Unable to acquire
            // connection" after 3 × 50 ms whatever the timeout (docs/redis-topologies.md, "For the lead").
            client = RedissonClients.create(topology().config(Duration.ofSeconds(3), 10));
        }
        return client;
    }

    @Override
    protected Instant now() {
        return topology().time();
    }

    @Override
    protected void advance(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void closeClient() {
        if (client != null) {
            client.shutdown();
            client = null;
        }
    }
}
