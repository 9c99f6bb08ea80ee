package io.quotagate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.Replica;
import io.quotagate.gateway.e2e.GatewayHttp.Reply;
import io.quotagate.gateway.reload.ReloadResult;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RedisServerExtension;
import io.quotagate.gateway.testkit.UpstreamReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /readyz} on the status listener of a real replica: not ready while the config file fails to load, while
 * the Redis store is stopped (and ready again once it is started again), and while the replica drains after SIGTERM
 * (the shutdown hook's {@code Replica.close()}). The replica runs with {@code metrics.tenant_label: false}, and its
 * scrape carries no tenant label.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadinessE2eTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir
    static Path dir;

    static RecordingUpstream upstream;
    static Replicas replicas;
    static Replica gateway;
    static Path configFile;
    static String yaml;
    final GatewayHttp http = new GatewayHttp();

    @BeforeAll
    static void start() {
        upstream = RecordingUpstream.start();
        yaml = E2eConfig.of(upstream.url().toString(), REDIS.uri()).redisTimeout(Duration.ofMillis(200), 1).yaml()
                .replace("shutdown_timeout: 1s", "shutdown_timeout: 10s")
                + ObservabilityE2eTest.observability(dir.resolve("access.log"), false);
        configFile = ObservabilityE2eTest.write(dir.resolve("quotagate.yaml"), yaml);
        replicas = new Replicas();
        gateway = replicas.start(configFile);
    }

    @AfterAll
    static void stop() {
        replicas.close();
        upstream.close();
    }

    @Test
    @Order(1)
    void withTheTenantLabelOffNoSeriesCarriesATenant() {
        try (Accounts accounts = new Accounts(REDIS.uri())) {
            String key = accounts.create("acme", 5, 20);
            assertThat(http.generate(gateway.port(), key).status()).isEqualTo(200);
            assertThat(http.send(gateway.port(), "POST", "/v1/portrait/generate").errorCode()).isEqualTo("missing_api_key");
        }
        Poll.until("counted", Duration.ofSeconds(5), () -> scrape().contains(
                "quotagate_requests_total{group=\"portrait\",outcome=\"forwarded\"} 1.0"), true);
        assertThat(scrape()).contains("quotagate_requests_total{group=\"portrait\",outcome=\"missing_api_key\"} 1.0")
                .contains("quotagate_requests_total{group=\"portrait\",outcome=\"calls_exhausted\"} 0.0")
                .doesNotContain("tenant=").doesNotContain("acme");
    }

    @Test
    @Order(2)
    void notReadyWhileTheConfigFileFailsToLoadAndReadyAgainOnceItLoads() throws Exception {
        assertThat(ready()).isEqualTo("200 ready");
        Files.writeString(configFile, yaml.replace("count_mode_qps: 10", "count_mode_qps: -1"));
        assertThat(gateway.reloader().reload("test")).isInstanceOf(ReloadResult.Failed.class);
        assertThat(ready()).isEqualTo("503 config_invalid");
        assertThat(scrape()).containsPattern("quotagate_config_reloads_total\\{result=\"failure\"} [1-9]")
                .contains("quotagate_config_info{sha256=\"" + ObservabilityE2eTest.sha256String(yaml) + "\"} 1");
        assertThat(http.send(gateway.port(), "GET", "/nowhere").status()).as("still serving").isEqualTo(404);

        Files.writeString(configFile, yaml); // the config in force again: the reload is "unchanged", and valid
        Poll.until("ready after the file loads", Duration.ofSeconds(10), () -> {
            gateway.reloader().reload("test");
            return ready();
        }, "200 ready");
    }

    @Test
    @Order(3)
    void readinessFollowsARedisThatIsStoppedAndStartedAgain() throws Exception {
        assertThat(ready()).isEqualTo("200 ready");
        REDIS.stop();
        Poll.until("not ready without Redis", Duration.ofSeconds(10), this::ready, "503 store_unavailable");
        assertThat(http.send(gateway.statusPort(), "GET", "/healthz").status()).as("alive all along").isEqualTo(200);
        REDIS.restart();
        Poll.until("ready once Redis is back", Duration.ofSeconds(30), this::ready, "200 ready");
    }

    @Test
    @Order(4)
    void notReadyWhileTheReplicaDrainsAfterSigterm() throws Exception {
        upstream.respondWith(UpstreamReply.ok("{}").delay(Duration.ofMillis(2500)));
        try (Accounts accounts = new Accounts(REDIS.uri())) {
            String key = accounts.create("slow", 5, 20);
            int headsBefore = upstream.headsReceived();
            CompletableFuture<Reply> inFlight = CompletableFuture.supplyAsync(() -> http.generate(gateway.port(), key));
            Poll.until("the request reached the upstream", Duration.ofSeconds(5),
                    () -> upstream.headsReceived() > headsBefore, true);
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> replicas.stop(gateway));
            Poll.until("draining", Duration.ofSeconds(2), this::ready, "503 draining");
            assertThat(inFlight.get(10, TimeUnit.SECONDS).status()).as("the in-flight request finishes").isEqualTo(200);
            stopping.get(15, TimeUnit.SECONDS);
        }
    }

    /** {@code STATUS status} of the status listener's /readyz. */
    private String ready() {
        Reply reply = http.send(gateway.statusPort(), "GET", "/readyz");
        return reply.status() + " " + reply.json().path("status").asText();
    }

    private String scrape() {
        return http.send(gateway.statusPort(), "GET", "/metrics").body();
    }
}
