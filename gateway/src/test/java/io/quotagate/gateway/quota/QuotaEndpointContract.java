package io.quotagate.gateway.quota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quotagate.gateway.admission.ApiKeys;
import io.quotagate.gateway.admission.QuotaAdmission;
import io.quotagate.gateway.admission.RequestIds;
import io.quotagate.gateway.admission.StoreRetries;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.config.QuotaApiConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.route.ConfigHolder;
import io.quotagate.gateway.store.Activation;
import io.quotagate.gateway.store.KeyInfo;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.StoreFixture;
import io.quotagate.gateway.store.TenantOps;
import io.quotagate.gateway.store.TenantView;
import io.quotagate.gateway.testkit.GatewayFixture;
import io.quotagate.gateway.testkit.MutableClock;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.TestConfigs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/quota} through a real gateway, a real HTTP client and a recording upstream, run against each
 * store: the report, the key checks with the shapes of every rejection, the per-key rate, and that a read is never
 * forwarded, never charged and never uses the group's QPS window.
 */
abstract class QuotaEndpointContract {

    static final int PER_KEY_QPS = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final StoreRetries retries = new StoreRetries(1000, Duration.ofMinutes(1));
    protected QuotaStore store;
    protected MutableClock clock;
    private RecordingUpstream upstream;
    private GatewayFixture gateway;
    private StoreFixture f;
    protected String key;

    /** A fresh, empty store. */
    protected abstract QuotaStore newStore();

    @BeforeEach
    void start() {
        store = newStore();
        f = new StoreFixture(store);
        // The quota service's clock: fixed, so the per-key second never rolls over in the middle of a test.
        clock = new MutableClock(Instant.now());
        upstream = RecordingUpstream.start();
        GatewayConfig config = TestConfigs.builder().upstream(upstream.url())
                .quotaApi(new QuotaApiConfig(true, "/v1/quota", PER_KEY_QPS)).build();
        ConfigHolder holder = new ConfigHolder(config);
        GatewayMetrics metrics = new GatewayMetrics(true);
        QuotaAdmission admission = new QuotaAdmission(holder::current, store, new RequestIds(), retries, metrics,
                Clock.systemUTC());
        gateway = GatewayFixture.start(config, admission,
                new QuotaReads(() -> holder.current().config(), store, metrics, clock));
        key = createTenant("acme", 5);
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
        retries.close();
        store.close();
    }

    @Test
    void aTenantReadsItsOwnBalanceWithItsKeyAndNothingIsForwarded() throws Exception {
        Reply reply = get("/v1/quota", "Authorization", "Bearer " + key);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.response().headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode portrait = reply.json().path("groups").path("portrait");
        assertThat(reply.json().path("tenant").asText()).isEqualTo("acme");
        assertThat(portrait.path("mode").asText()).isEqualTo("count");
        assertThat(portrait.path("activated").asBoolean()).isTrue();
        assertThat(portrait.path("calls_remaining").asLong()).isEqualTo(5);
        assertThat(portrait.path("next_expiry").path("calls").asLong()).isEqualTo(5);
        assertThat(Instant.parse(portrait.path("next_expiry").path("at").asText()))
                .isAfter(clock.instant().plus(Duration.ofDays(364)));
        assertThat(portrait.path("qps_limit").asLong()).isEqualTo(10);
        assertThat(portrait.path("qps_limit_until").isNull()).isTrue();
        assertThat(portrait.path("templates").path("quota").asLong()).isEqualTo(20);
        assertThat(portrait.path("templates").path("used").asLong()).isZero();
        // The test group was configured but never activated for acme: its first call will grant the defaults.
        assertThat(reply.json().path("groups").path("test").path("activated").asBoolean()).isFalse();
        assertThat(get("/v1/quota", "X-Api-Key", key).status()).isEqualTo(200);
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void readsChargeNothingAndReportWhatCallsCharged() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(get("/v1/quota", "Authorization", "Bearer " + key).status()).isEqualTo(200);
        }
        assertThat(post("/v1/portrait/generate", key).status()).isEqualTo(200);
        assertThat(post("/v1/portrait/generate", key).status()).isEqualTo(200);

        JsonNode portrait = get("/v1/quota", "Authorization", "Bearer " + key).json().path("groups").path("portrait");
        assertThat(portrait.path("calls_remaining").asLong()).isEqualTo(3);
        assertThat(upstream.requestCount()).isEqualTo(2);
    }

    @Test
    void readsDoNotUseTheGroupsQpsWindow() throws Exception {
        String vip = createTenant("vip", 100);
        for (int i = 0; i < PER_KEY_QPS; i++) {
            assertThat(get("/v1/quota", "Authorization", "Bearer " + vip).status()).isEqualTo(200);
        }
        // count_mode_qps is 10: all ten calls of this second still pass after the reads.
        for (int i = 0; i < 10; i++) {
            assertThat(post("/v1/portrait/generate", vip).status()).as("call %d", i).isEqualTo(200);
        }
        assertThat(post("/v1/portrait/generate", vip).status()).isEqualTo(429);
    }

    @Test
    void eachKeyHasASmallRateOfItsOwnWithRetryAfter() throws Exception {
        for (int i = 0; i < PER_KEY_QPS; i++) {
            assertThat(get("/v1/quota", "X-Api-Key", key).status()).isEqualTo(200);
        }
        Reply refused = get("/v1/quota", "X-Api-Key", key);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.errorCode()).isEqualTo("qps_exceeded");
        assertThat(refused.response().headers().firstValue("Retry-After")).hasValue("1");
        // Another key of another tenant is not affected; the next second the first key reads again.
        assertThat(get("/v1/quota", "X-Api-Key", createTenant("other", 1)).status()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(1));
        assertThat(get("/v1/quota", "X-Api-Key", key).status()).isEqualTo(200);
        // Calls are not limited by quota reads either.
        assertThat(post("/v1/portrait/generate", key).status()).isEqualTo(200);
    }

    @Test
    void keysAreCheckedLikeOnEveryCall() throws Exception {
        assertRejected(get("/v1/quota"), 401, "missing_api_key");
        assertRejected(get("/v1/quota", "X-Api-Key", "not-a-key"), 401, "invalid_api_key");
        assertRejected(get("/v1/quota", "X-Api-Key", ApiKeys.generate("acme")), 401, "invalid_api_key");
        assertRejected(get("/v1/quota", "X-Api-Key", ApiKeys.generate("nobody")), 401, "invalid_api_key");
        StoreFixture.await(store.revokeKey("acme", "k1"));
        assertRejected(get("/v1/quota", "X-Api-Key", key), 401, "invalid_api_key");

        String suspended = createTenant("late", 5);
        StoreFixture.await(store.setStatus("late", TenantView.Status.SUSPENDED));
        assertRejected(get("/v1/quota", "X-Api-Key", suspended), 403, "tenant_suspended");
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void otherMethodsAndPathsAreRoutedAsUsual() throws Exception {
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/v1/quota"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("X-Api-Key", key).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(404);
        assertRejected(get("/v1/quota/extra", "X-Api-Key", key), 404, "route_not_found");
        // A query string does not change the path.
        assertThat(get("/v1/quota?group=portrait", "X-Api-Key", key).status()).isEqualTo(200);
    }

    protected String createTenant(String tenant, int freeCalls) {
        String k = ApiKeys.generate(tenant);
        Instant now = Instant.now();
        StoreFixture.ok(StoreFixture.await(store.createTenant(new TenantOps.CreateTenant(tenant, tenant,
                Map.of("portrait", new Activation(freeCalls, Duration.ofDays(365).toMillis(), 20)),
                new KeyInfo("k1", ApiKeys.digest(k), now, null), now))));
        return k;
    }

    private static void assertRejected(Reply reply, int status, String code) throws IOException {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.errorCode()).isEqualTo(code);
        assertThat(reply.json().path("error").path("message").asText()).isNotEmpty();
        assertThat(reply.json().size()).isEqualTo(1);
    }

    protected Reply get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return new Reply(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private Reply post(String path, String apiKey) throws IOException, InterruptedException {
        return new Reply(http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + apiKey)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }

    record Reply(HttpResponse<String> response) {
        int status() {
            return response.statusCode();
        }

        String body() {
            return response.body();
        }

        JsonNode json() throws IOException {
            return JSON.readTree(response.body());
        }

        String errorCode() throws IOException {
            return json().path("error").path("code").asText();
        }
    }
}
