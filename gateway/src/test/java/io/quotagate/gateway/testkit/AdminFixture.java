package io.quotagate.gateway.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quotagate.gateway.admin.AdminApi;
import io.quotagate.gateway.admin.AdminServer;
import io.quotagate.gateway.config.ConfigLoader;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.events.BillingEvents;
import io.quotagate.gateway.events.MemoryEventStore;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.reload.ConfigReloader;
import io.quotagate.gateway.route.ConfigHolder;
import io.quotagate.gateway.store.MemoryQuotaStore;
import io.quotagate.gateway.store.QuotaStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;

/**
 * A real admin listener on a free loopback port, wired as the composition root wires it: the config file on disk
 * (the SPEC §4 seed with the memory store), a {@link ConfigHolder}, a real {@link ConfigReloader} behind
 * {@code POST /v1/config/reload}, and a store (a {@link MemoryQuotaStore} on a {@link MutableClock} unless given
 * one). Calls go through the JDK {@link HttpClient}.
 */
public final class AdminFixture implements AutoCloseable {

    public static final String TOKEN = "admin-test-token-5f0c2e91";
    /** Where the fixture's clock starts: a Thursday in mid-January, so month ends are easy to read. */
    public static final Instant START = Instant.parse("2026-01-15T00:00:00Z");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path configFile;
    private final ConfigHolder holder;
    private final QuotaStore store;
    private final MemoryEventStore events = new MemoryEventStore();
    private final AdminServer server;
    private final AdminApi api;
    private final GatewayMetrics metrics;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private AdminFixture(Path configFile, QuotaStore store, InstantSource clock) throws Exception {
        this.configFile = configFile;
        this.store = store;
        GatewayConfig config = ConfigLoader.load(configFile);
        this.holder = new ConfigHolder(config);
        this.metrics = new GatewayMetrics(true);
        ConfigReloader reloader = new ConfigReloader(configFile, holder, metrics);
        this.api = new AdminApi(config.admin().token(), store, () -> holder.current().config(),
                () -> reloader.reload("admin"), metrics, clock,
                new BillingEvents(() -> holder.current().config(), events, metrics, clock));
        this.server = new AdminServer(config.admin(), api).start();
    }

    /** The seed config in {@code dir}, a memory store on a clock starting at {@link #START}. */
    public static AdminFixture memory(Path dir, MutableClock clock) throws Exception {
        return start(dir, new MemoryQuotaStore(clock), clock);
    }

    /** The seed config in {@code dir} and the given store (closed with the fixture). */
    public static AdminFixture start(Path dir, QuotaStore store, InstantSource clock) throws Exception {
        Path file = dir.resolve("quotagate.yaml");
        Files.writeString(file, seedYaml(TOKEN));
        return new AdminFixture(file, store, clock);
    }

    /**
     * The plan part of SPEC §4's example config (defaults, the portrait group, the acme override, the catalog), to
     * follow a test's own {@code server}, {@code admin}, {@code upstream} and {@code store} sections.
     */
    public static final String SEED_PLAN = """
            defaults: { free_calls: 200, free_templates: 20, free_pack_validity: 365d, pack_validity: 1y }
            groups:
              portrait:
                count_mode_qps: 10
                max_qps: 300
                routes:
                  - { match: "POST /v1/portrait/generate", cost: 1 }
                  - { match: "GET /v1/portrait/tasks/{id}", cost: 0, qps: false }
                  - { match: "POST /v1/templates", cost: 1, templates: create }
                  - { match: "DELETE /v1/templates/{id}", cost: 0, templates: delete }
            overrides:
              acme: { portrait: { count_mode_qps: 20 } }
            catalog:
              currency: CNY
              packs: { 1000: 400, 10000: 3000, 100000: 20000, 1000000: 120000, 10000000: 320000 }
              qps: [ { below: 50, per_day: 220, per_month: 4800 },
                     { below: 100, per_day: 170, per_month: 4000 },
                     { per_day: 140, per_month: 3600 } ]
              templates: { 100: 400, 1000: 3200, 10000: 24000 }
            """;

    /** SPEC §4's example config with the memory store and an ephemeral loopback admin port. */
    public static String seedYaml(String token) {
        return """
                server: { port: 0, max_body: 50MB }
                admin: { port: 0, bind: 127.0.0.1, token: "%s" }
                upstream: { url: "http://127.0.0.1:9000" }
                store: { type: memory }
                """.formatted(token) + SEED_PLAN;
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public AdminServer server() {
        return server;
    }

    /** The API the listener serves (to start a status listener on it too). */
    public AdminApi api() {
        return api;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public QuotaStore store() {
        return store;
    }

    /** The billing event store behind {@code /v1/events} (events are off in the seed config: nothing is emitted by itself). */
    public MemoryEventStore events() {
        return events;
    }

    public Path configFile() {
        return configFile;
    }

    public GatewayConfig config() {
        return holder.current().config();
    }

    public Response get(String path) {
        return call("GET", path, null, TOKEN);
    }

    public Response post(String path, String json) {
        return call("POST", path, json, TOKEN);
    }

    public Response put(String path, String json) {
        return call("PUT", path, json, TOKEN);
    }

    public Response delete(String path) {
        return call("DELETE", path, null, TOKEN);
    }

    /** One call; {@code token} null sends no Authorization header. */
    public Response call(String method, String path, String json, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        request.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
        store.close();
    }

    /** An answer of the admin API. */
    public record Response(int status, String body, Map<String, java.util.List<String>> headers) {

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        /** {@code error.code} of an error body. */
        public String errorCode() {
            return json().path("error").path("code").asText();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}
