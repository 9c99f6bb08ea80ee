package io.quotagate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.Replica;
import io.quotagate.gateway.e2e.GatewayHttp.Reply;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule 12 end to end: balances live in Redis, not in a replica or its YAML. A gateway restart (a new replica on
 * the same Redis) and a config reload (the file edited under a running replica, picked up by its watcher) leave
 * the balance exactly where it was, and the reload's lower limit applies from the next request on.
 */
class DurabilityE2eTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir
    static Path dir;

    private static RecordingUpstream upstream;
    private static Accounts accounts;
    private final Replicas replicas = new Replicas();
    private final GatewayHttp http = new GatewayHttp();

    @BeforeAll
    static void start() {
        upstream = RecordingUpstream.start();
        accounts = new Accounts(REDIS.uri());
    }

    @AfterEach
    void stopReplicas() {
        replicas.close();
    }

    @AfterAll
    static void stop() {
        accounts.close();
        upstream.close();
    }

    @Test
    void theBalanceSurvivesAGatewayRestart() {
        Path file = E2eConfig.of(upstream.url().toString(), REDIS.uri()).writeTo(dir.resolve("restart.yaml"));
        String key = accounts.create("restart", 50, 20);
        Replica before = replicas.start(file);
        for (int i = 0; i < 3; i++) {
            assertThat(http.generate(before.port(), key).status()).isEqualTo(200);
        }
        replicas.stop(before);

        assertThat(accounts.balance("restart")).isEqualTo(47);
        Replica after = replicas.start(file);
        Reply reply = http.generate(after.port(), key);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("X-Calls-Remaining")).isEqualTo("46");
        assertThat(accounts.balance("restart")).isEqualTo(46);
    }

    @Test
    void aReloadLowersTheLimitForTheNextRequestAndKeepsTheBalance() throws Exception {
        E2eConfig config = E2eConfig.of(upstream.url().toString(), REDIS.uri()).countModeQps(10);
        Path file = config.writeTo(dir.resolve("reload.yaml"));
        String key = accounts.create("reload", 50, 20);
        Replica replica = replicas.start(file);
        Reply first = http.generate(replica.port(), key);
        assertThat(first.header("RateLimit-Policy")).isEqualTo("\"qps\";q=10;w=1");
        long balance = accounts.balance("reload");

        config.countModeQps(2).writeTo(file);
        String edited = sha256(config.yaml());
        Poll.until("config in force after the edit", Duration.ofSeconds(10), () -> replica.reloader().hashInForce(), edited);

        assertThat(accounts.balance("reload")).isEqualTo(balance).isEqualTo(49);
        List<Reply> burst = new ArrayList<>();
        do {
            burst.add(http.generate(replica.port(), key));
        } while (burst.get(burst.size() - 1).status() == 200 && burst.size() < 20);
        Reply limited = burst.get(burst.size() - 1);
        assertThat(burst).allSatisfy(r -> assertThat(r.header("RateLimit-Policy")).isEqualTo("\"qps\";q=2;w=1"));
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.errorCode()).isEqualTo("qps_exceeded");
        // At most two admissions in the window (fewer if the call before the reload is still in it).
        assertThat(burst.size() - 1).isBetween(1, 2);
        assertThat(limited.header("X-Calls-Remaining")).isEqualTo(String.valueOf(balance - (burst.size() - 1)));
        assertThat(accounts.balance("reload")).isEqualTo(balance - (burst.size() - 1));
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
