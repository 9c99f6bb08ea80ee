package io.quotagate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.store.redis.RedisPersistenceCheck.Finding;
import io.quotagate.gateway.store.redis.RedisPersistenceCheck.Risk;
import io.quotagate.gateway.testkit.RedisCluster;
import io.quotagate.gateway.testkit.RedisProcess;
import io.quotagate.gateway.testkit.RedisTopologyExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.api.RedissonClient;

/** The start-up persistence check against real redis-server processes started with the settings under test. */
class RedisPersistenceCheckTest {

    @RegisterExtension
    static final RedisTopologyExtension<RedisCluster> CLUSTER = RedisTopologyExtension.sharedCluster();

    @TempDir
    Path dir;

    @Test
    void aServerWithoutAofOrSnapshotsIsLoudlyAtRisk() {
        List<Finding> findings = check();   // the test kit's default: --save "" --appendonly no

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.risk()).isEqualTo(Risk.NOT_PERSISTED);
            assertThat(f.risk().loud()).isTrue();
            assertThat(f.settings()).containsEntry("appendonly", "no").containsEntry("save", "");
        });
    }

    @Test
    void aServerWithAofEverySecondAndNoEvictionIsSafe() {
        assertThat(check("--appendonly", "yes", "--appendfsync", "everysec")).isEmpty();
    }

    @Test
    void snapshotsOnlyAndAnAofNeverSyncedAreQuietRisks() {
        assertThat(check("--save", "60 1")).extracting(Finding::risk).containsExactly(Risk.SNAPSHOTS_ONLY);
        assertThat(check("--appendonly", "yes", "--appendfsync", "no")).extracting(Finding::risk)
                .containsExactly(Risk.FSYNC_NEVER);
        assertThat(Risk.SNAPSHOTS_ONLY.loud()).isFalse();
    }

    @Test
    void anEvictionPolicyIsLoudlyAtRiskEvenWithAof() {
        List<Finding> findings = check("--appendonly", "yes", "--maxmemory-policy", "volatile-lru");

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.risk()).isEqualTo(Risk.EVICTS_KEYS);
            assertThat(f.risk().loud()).isTrue();
            assertThat(f.settings()).containsEntry("maxmemory-policy", "volatile-lru");
        });
    }

    @Test
    void aServerThatRefusesConfigIsReportedUnverifiedNotFailed() {
        List<Finding> findings = check("--rename-command", "CONFIG", "");

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.risk()).isEqualTo(Risk.UNVERIFIED);
            assertThat(f.settings()).isEmpty();
        });
    }

    @Test
    void everyMasterAndReplicaOfAClusterIsChecked() {
        RedisCluster cluster = CLUSTER.topology();
        RedissonClient client = RedissonClients.create(cluster.config(Duration.ofSeconds(3), 1));
        try {
            List<Finding> findings = RedisPersistenceCheck.warnIfMoneyAtRisk(client);

            assertThat(findings).extracting(Finding::risk).containsOnly(Risk.NOT_PERSISTED);
            assertThat(findings).extracting(f -> Integer.parseInt(f.node().substring(f.node().lastIndexOf(':') + 1)))
                    .containsExactlyInAnyOrderElementsOf(cluster.nodes().stream().map(RedisProcess::port).toList());
        } finally {
            client.shutdown();
        }
    }

    @Test
    void theRisksOfEachCombinationOfSettings() {
        Map<String, String> safe = Map.of("appendonly", "yes", "save", "", "appendfsync", "always",
                "maxmemory-policy", "noeviction");
        assertThat(RedisPersistenceCheck.risks(safe)).isEmpty();
        assertThat(RedisPersistenceCheck.risks(Map.of("appendonly", "no", "save", "3600 1", "appendfsync", "no",
                "maxmemory-policy", "allkeys-lru"))).containsExactly(Risk.SNAPSHOTS_ONLY, Risk.EVICTS_KEYS);
    }

    /** Starts a redis-server with {@code args} (after the kit's no-persistence defaults) and checks it. */
    private List<Finding> check(String... args) {
        try (RedisProcess redis = RedisProcess.start(dir, "redis-" + System.nanoTime(), null, RedisProcess.freePort(), args)
                .awaitUp()) {
            RedissonClient client = RedissonClients.create(
                    new RedisConfig(redis.uri(), null, null, null, Duration.ofSeconds(3), 1));
            try {
                return RedisPersistenceCheck.warnIfMoneyAtRisk(client);
            } finally {
                client.shutdown();
            }
        }
    }
}
