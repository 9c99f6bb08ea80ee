package io.quotagate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.quotagate.gateway.config.AdminConfig;
import io.quotagate.gateway.config.StatusConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.store.MemoryQuotaStore;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.StoreUnavailableException;
import io.quotagate.gateway.testkit.AdminFixture;
import io.quotagate.gateway.testkit.LogCapture;
import io.quotagate.gateway.testkit.MutableClock;
import io.quotagate.gateway.testkit.RawHttpClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener itself: token, binding, health, metrics, config, errors, store failures. */
class AdminServerTest {

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(AdminFixture.START);

    @Test
    void refusesToStartWithoutAToken() {
        GatewayMetrics metrics = new GatewayMetrics(false);
        for (String token : new String[] {null, ""}) {
            AdminApi api = new AdminApi(token, new MemoryQuotaStore(clock), () -> null, () -> null, metrics, clock);
            assertThatThrownBy(() -> new AdminServer(new AdminConfig("127.0.0.1", 0, token), api))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("admin.token is empty: the admin listener does not start without a token");
        }
    }

    @Test
    void bindsLoopbackWhenNoAddressIsGiven() throws Exception {
        AdminApi api = new AdminApi("t0ken", new MemoryQuotaStore(clock), () -> null, () -> null,
                new GatewayMetrics(false), clock);
        try (AdminServer server = new AdminServer(new AdminConfig(null, 0, "t0ken"), api).start()) {
            assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
            assertThat(server.port()).isPositive();
        }
    }

    @Test
    void everyCallButProbesNeedsTheAdminTokenAndTenantKeysNeverWork() throws Exception {
        try (AdminFixture admin = AdminFixture.memory(dir, clock)) {
            assertThat(admin.call("GET", "/healthz", null, null).json().path("status").asText()).isEqualTo("ok");
            assertThat(admin.call("GET", "/readyz", null, null).status()).isEqualTo(200);
            for (String path : new String[] {"/metrics", "/v1/tenants", "/v1/config", "/v1/nothing"}) {
                AdminFixture.Response refused = admin.call("GET", path, null, null);
                assertThat(refused.status()).as(path).isEqualTo(401);
                assertThat(refused.header("WWW-Authenticate")).startsWith("Bearer");
                assertThat(refused.errorCode()).isEqualTo("unauthorized");
            }
            assertThat(admin.call("GET", "/v1/tenants", null, "wrong").json().path("error").path("message").asText())
                    .isEqualTo("the admin token is not valid");
            String apiKey = admin.post("/v1/tenants", "{\"id\":\"acme\"}").json().path("api_key").asText();
            AdminFixture.Response withKey = admin.call("GET", "/v1/tenants/acme", null, apiKey);
            assertThat(withKey.status()).isEqualTo(401);
            assertThat(withKey.json().path("error").path("message").asText())
                    .isEqualTo("tenant API keys are not accepted on the admin port: use the admin token");
            assertThat(admin.call("POST", "/v1/tenants", "{\"id\":\"evil\"}", null).status()).isEqualTo(401);
            assertThat(admin.get("/v1/tenants/evil").status()).as("nothing happened").isEqualTo(404);
        }
    }

    @Test
    void tenWrongOrMissingTokensFromOneAddressGet429WithRetryAfterWhateverTheTokenUntilTheCoolDownEnds() throws Exception {
        try (AdminFixture admin = AdminFixture.memory(dir, clock);
             LogCapture audit = LogCapture.messagesOf(AuditLog.LOGGER);
             AdminServer status = AdminServer.status(new StatusConfig(true, "127.0.0.1", 0), admin.api()).start()) {
            String apiKey = admin.post("/v1/tenants", "{\"id\":\"acme\"}").json().path("api_key").asText();
            // Missing, wrong and tenant-key tokens all count: 10 within the default 1 min window.
            for (int i = 0; i < 10; i++) {
                String token = i % 3 == 0 ? null : i % 3 == 1 ? "wrong-" + i : apiKey;
                assertThat(admin.call("GET", "/v1/tenants", null, token).status()).as("failure %d", i + 1).isEqualTo(401);
            }
            clock.advance(Duration.ofSeconds(15));

            AdminFixture.Response throttled = admin.get("/v1/tenants");
            assertThat(throttled.status()).as("the right token, unchecked").isEqualTo(429);
            assertThat(throttled.header("Retry-After")).isEqualTo("45");
            assertThat(throttled.errorCode()).isEqualTo("throttled");
            assertThat(throttled.json().path("error").path("message").asText())
                    .isEqualTo("too many wrong or missing admin tokens from this address: refused for 45 s more");
            AdminFixture.Response grant = admin.post("/v1/tenants/acme/groups/portrait/packs",
                    "{\"calls\":1000,\"order_id\":\"o-1\"}");
            assertThat(grant.status()).isEqualTo(429);
            assertThat(admin.call("GET", "/healthz", null, null).status()).as("probes are never throttled").isEqualTo(200);
            assertThat(admin.call("GET", "/readyz", null, null).status()).isEqualTo(200);
            try (RawHttpClient other = RawHttpClient.connect(admin.server().port(), "127.0.0.2")) {
                RawHttpClient.RawResponse fromElsewhere = other.send("GET /v1/tenants HTTP/1.1\r\nHost: a\r\n"
                        + "Authorization: Bearer " + AdminFixture.TOKEN + "\r\n\r\n").readResponse();
                assertThat(fromElsewhere.status()).as("another address").isEqualTo(200);
            }
            String metrics = http(status.port(), "/metrics");
            assertThat(metrics).as("the status listener has no token to throttle")
                    .contains("quotagate_admin_refused_total{reason=\"throttled\"} 2.0")
                    .contains("quotagate_admin_refused_total{reason=\"unauthorized\"} 10.0");
            assertThat(audit.await(2, Duration.ofSeconds(5)).get(1)).isEqualTo("{\"time\":\"2026-01-15T00:00:15Z\","
                    + "\"log\":\"audit\",\"address\":\"127.0.0.1\",\"operation\":\"pack.grant\",\"tenant\":\"acme\","
                    + "\"group\":\"portrait\",\"order_id\":null,\"key_id\":null,\"event_id\":null,\"detail\":null,"
                    + "\"status\":429,\"outcome\":\"throttled\"}");

            clock.advance(Duration.ofMillis(44_500));
            assertThat(admin.get("/v1/tenants").header("Retry-After")).as("rounded up").isEqualTo("1");
            clock.advance(Duration.ofMillis(500));
            assertThat(admin.get("/v1/tenants/acme").json().path("groups").path("portrait").path("calls_remaining")
                    .asLong()).as("the cool-down is over; nothing was granted during it").isEqualTo(200);
            assertThat(admin.call("GET", "/v1/tenants", null, "wrong").status()).as("a fresh count").isEqualTo(401);
            assertThat(admin.get("/v1/tenants").status()).isEqualTo(200);
        }
    }

    private static String http(int port, String path) throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(port)) {
            return client.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().bodyText();
        }
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        try (AdminFixture admin = AdminFixture.memory(dir, clock)) {
            AdminFixture.Response metrics = admin.get("/metrics");
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.header("Content-Type")).startsWith("text/plain; version=0.0.4");
            assertThat(metrics.body()).contains("quotagate_store_errors_total{kind=\"timeout\"} 0.0").contains("jvm_memory_used_bytes")
                    .containsPattern("netty_allocator_memory_pinned\\{[^}]*memory_type=\"direct\"");
        }
    }

    @Test
    void unknownPathsWrongMethodsAndLargeBodiesAreRefused() throws Exception {
        try (AdminFixture admin = AdminFixture.memory(dir, clock)) {
            assertThat(admin.get("/v1/nothing").errorCode()).isEqualTo("not_found");
            AdminFixture.Response wrong = admin.delete("/v1/tenants");
            assertThat(wrong.status()).isEqualTo(405);
            assertThat(wrong.header("Allow")).isEqualTo("GET, POST");
            AdminFixture.Response large = admin.post("/v1/tenants", "{\"id\":\"" + "a".repeat(70_000) + "\"}");
            assertThat(large.status()).isEqualTo(413);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (AdminFixture admin = AdminFixture.memory(dir, clock); Socket socket = new Socket("127.0.0.1", admin.server().port())) {
            String auth = "Authorization: Bearer " + AdminFixture.TOKEN + "\r\n";
            String requests = "GET /readyz HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /v1/quotes/pack?calls=1000 HTTP/1.1\r\nHost: a\r\n" + auth + "\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(requests.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answers = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int ready = answers.indexOf("\"ready\"");
            int quote = answers.indexOf("\"price\":400");
            int ok = answers.indexOf("\"ok\"");
            assertThat(ready).isPositive();
            assertThat(quote).isGreaterThan(ready);
            assertThat(ok).isGreaterThan(quote);
        }
    }

    @Test
    void configShowRedactsSecretsAndReloadValidatesTheWholeFile() throws Exception {
        try (AdminFixture admin = AdminFixture.memory(dir, clock)) {
            admin.post("/v1/tenants", "{\"id\":\"globex\"}");
            JsonNode shown = admin.get("/v1/config").json();
            assertThat(shown.path("content_hash").asText()).isEqualTo(admin.config().contentHash()).hasSize(64);
            assertThat(shown.path("source").asText()).isEqualTo(admin.configFile().toString());
            assertThat(shown.path("config").path("admin").path("token").asText()).isEqualTo("<redacted>");
            assertThat(shown.toString()).doesNotContain(AdminFixture.TOKEN);
            assertThat(shown.path("config").path("groups").path("portrait").path("routes").get(0).path("match")
                    .asText()).isEqualTo("POST /v1/portrait/generate");
            assertThat(shown.path("config").path("catalog").path("packs").path("1000").asLong()).isEqualTo(400);
            assertThat(shown.path("config").path("quota_api").path("path").asText()).isEqualTo("/v1/quota");
            assertThat(shown.path("config").path("events").path("webhook_url").isNull()).isTrue();

            assertThat(admin.post("/v1/config/reload", null).json().path("result").asText()).isEqualTo("unchanged");

            String yaml = Files.readString(admin.configFile());
            Files.writeString(admin.configFile(), yaml.replace("count_mode_qps: 10", "count_mode_qps: 5"));
            JsonNode applied = admin.post("/v1/config/reload", null).json();
            assertThat(applied.path("result").asText()).isEqualTo("applied");
            assertThat(applied.path("previous_hash").asText()).isEqualTo(shown.path("content_hash").asText());
            assertThat(admin.get("/v1/tenants/globex").json().path("groups").path("portrait").path("qps_limit").asLong())
                    .isEqualTo(5);

            Files.writeString(admin.configFile(), yaml.replace("max_qps: 300", "max_qps: -1"));
            AdminFixture.Response refused = admin.post("/v1/config/reload", null);
            assertThat(refused.status()).isEqualTo(422);
            assertThat(refused.errorCode()).isEqualTo("config_invalid");
            assertThat(refused.json().path("error").path("message").asText())
                    .startsWith(admin.configFile() + ":9: groups.portrait.max_qps: -1 (expected: >= 1)");
            assertThat(admin.get("/v1/config").json().path("content_hash").asText())
                    .isEqualTo(applied.path("content_hash").asText());
        }
    }

    @Test
    void anUnreachableStoreIs503AndNotReady() throws Exception {
        QuotaStore failing = store(() -> CompletableFuture.failedFuture(new StoreUnavailableException("down", null)));
        try (AdminFixture admin = AdminFixture.start(dir, failing, clock)) {
            AdminFixture.Response grant = admin.post("/v1/tenants/acme/groups/portrait/packs",
                    "{\"calls\":1000,\"order_id\":\"o-1\"}");
            assertThat(grant.status()).isEqualTo(503);
            assertThat(grant.errorCode()).isEqualTo("store_unavailable");
            assertThat(grant.header("Retry-After")).isEqualTo("1");
            assertThat(admin.post("/v1/tenants", "{\"id\":\"acme\"}").status()).isEqualTo(503);
            assertThat(admin.call("GET", "/readyz", null, null).status()).isEqualTo(503);
            assertThat(admin.call("GET", "/healthz", null, null).status()).isEqualTo(200);
        }
    }

    @Test
    void aStoreThatNeverAnswersIsNotReady() throws Exception {
        try (AdminFixture admin = AdminFixture.start(dir, store(CompletableFuture::new), clock)) {
            long started = System.nanoTime();
            AdminFixture.Response ready = admin.call("GET", "/readyz", null, null);
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().path("status").asText()).isEqualTo("store_unavailable");
            assertThat((System.nanoTime() - started) / 1_000_000).isBetween(900L, 5_000L);
        }
    }

    /** A store whose every call answers with {@code answer} (there is no other way to make the memory store fail). */
    private static QuotaStore store(Supplier<CompletableFuture<?>> answer) {
        return (QuotaStore) Proxy.newProxyInstance(QuotaStore.class.getClassLoader(), new Class<?>[] {QuotaStore.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "close" -> null;
                    case "toString" -> "unreachable store";
                    case "hashCode" -> 0;
                    case "equals" -> proxy == args[0];
                    default -> answer.get();
                });
    }
}
