package io.quotagate.gateway.events;

import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.store.redis.RedisEventStore;
import io.quotagate.gateway.store.redis.RedissonClients;
import io.quotagate.gateway.testkit.RedisServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/** The event store contract on a real Redis. */
class RedisEventStoreTest extends EventStoreContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private RedissonClient client;

    @Override
    protected EventStore newStore() {
        REDIS.flushAll();
        client = RedissonClients.create(new RedisConfig(REDIS.uri(), null, null, null, Duration.ofSeconds(3), 2));
        return new RedisEventStore(client);
    }

    @AfterEach
    void shutdown() {
        client.shutdown();
    }
}
