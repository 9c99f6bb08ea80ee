package io.quotagate.gateway.events;

import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.redis.RedisEventStore;
import io.quotagate.gateway.store.redis.RedisQuotaStore;
import io.quotagate.gateway.store.redis.RedissonClients;
import io.quotagate.gateway.testkit.MutableClock;
import io.quotagate.gateway.testkit.RedisServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/** Event delivery on a real Redis: the quota store and the event store share one client, as in a replica. */
class RedisEventDeliveryTest extends EventDeliveryContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private RedissonClient client;

    @Override
    protected QuotaStore newQuotaStore(MutableClock clock) {
        REDIS.flushAll();
        client = RedissonClients.create(new RedisConfig(REDIS.uri(), null, null, null, Duration.ofSeconds(3), 2));
        return new RedisQuotaStore(client, true);
    }

    @Override
    protected EventStore newEventStore() {
        return new RedisEventStore(client);
    }
}
