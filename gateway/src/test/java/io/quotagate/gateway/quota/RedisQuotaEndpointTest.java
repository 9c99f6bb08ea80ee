package io.quotagate.gateway.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.redis.RedisQuotaStore;
import io.quotagate.gateway.store.redis.RedissonClients;
import io.quotagate.gateway.testkit.RedisMonitor;
import io.quotagate.gateway.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The quota endpoint on a real Redis: the same contract, and a read is one script call that writes nothing. */
class RedisQuotaEndpointTest extends QuotaEndpointContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    protected QuotaStore newStore() {
        REDIS.flushAll();
        return new RedisQuotaStore(RedissonClients.create(
                new RedisConfig(REDIS.uri(), null, null, null, Duration.ofSeconds(3), 2)), true);
    }

    @Test
    void aReadIsOneScriptCallThatWritesNothing() throws Exception {
        get("/v1/quota", "X-Api-Key", key); // loads the script, so the measured read is the steady state
        Object before = REDIS.command("DBSIZE");
        RedisMonitor monitor = REDIS.monitor();
        assertThat(get("/v1/quota", "X-Api-Key", key).status()).isEqualTo(200);
        monitor.close();

        assertThat(monitor.clientCommands()).isEqualTo(List.of("EVALSHA"));
        List<String> inScript = monitor.lines().stream().filter(l -> l.contains(" lua] ")).toList();
        assertThat(inScript).isNotEmpty().noneMatch(l -> l.matches(".*\"(SET|HSET|HINCRBY|LPUSH|DEL|ZADD|EXPIRE|PEXPIRE|HDEL|SADD)\".*"));
        assertThat(REDIS.command("DBSIZE")).isEqualTo(before);
    }
}
