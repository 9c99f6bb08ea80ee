package io.quotagate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.store.redis.RedisPersistenceCheck.Finding;
import io.quotagate.gateway.store.redis.RedisPersistenceCheck.Risk;
import io.quotagate.gateway.testkit.RedisProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.api.RedissonClient;

/**
 * The start-up persistence check against real redis-server processes: started without persistence (the test kit's
 * default), with AOF, with CONFIG renamed away; other settings changed at run time with CONFIG SET. On every node of a
 * cluster: {@link RedisClusterQuotaStoreTest}.
 */
class RedisPersistenceCheckTest {

    @TempDir
    Path dir;

    @Test
    void aServerWithoutAofOrSnapshotsIsLoudlyAtRisk() {
        List<Finding> findings = onServer(this::check);   // the kit's defaults: --save "" --appendonly no

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.risk()).isEqualTo(Risk.NOT_PERSISTED);
            assertThat(f.risk().loud()).isTrue();
            assertThat(f.settings()).containsEntry("appendonly", "no").containsEntry("save", "");
        });
    }

    @Test
    void aServerWithAofEverySecondAndNoEvictionIsSafeAndEachOtherSettingIsReported() {
        onServer(redis -> {
            RedissonClient client = client(redis);
            try {
                checksOf(redis, () -> RedisPersistenceCheck.warnIfMoneyAtRisk(client));
            } finally {
                client.shutdown();
            }
            return null;
        }, "--appendonly", "yes", "--appendfsync", "everysec");
    }

    /** One setting at a time moved off the safe set, and back. */
    private static void checksOf(RedisProcess redis, Supplier<List<Finding>> check) {
        assertThat(check.get()).isEmpty();

        redis.command("CONFIG", "SET", "appendfsync", "no");
        assertThat(check.get()).extracting(Finding::risk).containsExactly(Risk.FSYNC_NEVER);
        redis.command("CONFIG", "SET", "appendfsync", "everysec");

        redis.command("CONFIG", "SET", "maxmemory-policy", "volatile-lru");
        assertThat(check.get()).singleElement().satisfies(f -> {
            assertThat(f.risk()).isEqualTo(Risk.EVICTS_KEYS);
            assertThat(f.risk().loud()).isTrue();
            assertThat(f.settings()).containsEntry("maxmemory-policy", "volatile-lru");
        });
        redis.command("CONFIG", "SET", "maxmemory-policy", "noeviction");

        redis.command("CONFIG", "SET", "appendonly", "no");
        redis.command("CONFIG", "SET", "save", "60 1");
        assertThat(check.get()).extracting(Finding::risk).containsExactly(Risk.SNAPSHOTS_ONLY);
        assertThat(Risk.SNAPSHOTS_ONLY.loud()).isFalse();
    }

    @Test
    void aServerThatRefusesConfigIsReportedUnverifiedNotFailed() {
        List<Finding> findings = onServer(this::check, "--rename-command", "CONFIG", "");

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.risk()).isEqualTo(Risk.UNVERIFIED);
            assertThat(f.settings()).isEmpty();
        });
    }

    @Test
    void theRisksOfEachCombinationOfSettings() {
        Map<String, String> safe = Map.of("appendonly", "yes", "save", "", "appendfsync", "always",
                "maxmemory-policy", "noeviction");
        assertThat(RedisPersistenceCheck.risks(safe)).isEmpty();
        assertThat(RedisPersistenceCheck.risks(Map.of("appendonly", "no", "save", "3600 1", "appendfsync", "no",
                "maxmemory-policy", "allkeys-lru"))).containsExactly(Risk.SNAPSHOTS_ONLY, Risk.EVICTS_KEYS);
    }

    /** Runs {@code test} against a redis-server started with {@code args} (after the kit's no-persistence defaults). */
    private <T> T onServer(Function<RedisProcess, T> test, String... args) {
        try (RedisProcess redis = RedisProcess.start(dir, "redis", null, RedisProcess.freePort(), args).awaitUp()) {
            return test.apply(redis);
        }
    }

    private static RedissonClient client(RedisProcess redis) {
        return RedissonClients.create(new RedisConfig(redis.uri(), null, null, null, Duration.ofSeconds(3), 1));
    }

    /** The check as a replica runs it at start, through a Redisson client of its own. */
    private List<Finding> check(RedisProcess redis) {
        RedissonClient client = client(redis);
        try {
            return RedisPersistenceCheck.warnIfMoneyAtRisk(client);
        } finally {
            client.shutdown();
        }
    }
}
