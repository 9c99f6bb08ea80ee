package io.quotagate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.RouteConfig.TemplateAction;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The example of SPEC §4, verbatim, parses to exactly the records it describes. */
class ConfigSpecExampleTest {

    static final String SPEC_EXAMPLE = """
            server:   { port: 8080, max_body: 50MB }           # optional tls: { cert: …, key: … }
            admin:    { port: 9090, bind: 127.0.0.1, token: "${QUOTAGATE_ADMIN_TOKEN}" }
            upstream: { url: "http://127.0.0.1:9000", connect_timeout: 2s, response_timeout: 120s,
                        idle_timeout: 60s,                   # a response body that stalls this long is cut
                        headers: { Authorization: "Bearer ${UPSTREAM_TOKEN:-}" } }
            store:
              type: redis                       # or memory (single node, not durable, warns at start)
              redis: { address: "redis://127.0.0.1:6379" }
              # or  redis: { cluster: ["redis://h1:7000", "redis://h2:7000", "redis://h3:7000"] }
              # or  redis: { sentinel: { master: mymaster, addresses: ["redis://s1:26379", "redis://s2:26379"] } }
              # optional: password: "${REDIS_PASSWORD:-}", timeout: 200ms
              on_error: reject                  # or allow; per group override allowed
            defaults:
              free_calls: 200
              free_templates: 20
              free_pack_validity: 365d
              pack_validity: 1y
              refund_on: ["500-599", 429]
            groups:
              portrait:
                count_mode_qps: 10
                max_qps: 300
                routes:
                  - { match: "POST /v1/portrait/generate", cost: 1 }
                  - { match: "GET /v1/portrait/tasks/{id}", cost: 0, qps: false }
                  - { match: "POST /v1/templates", cost: 1, templates: create }
                  - { match: "DELETE /v1/templates/{id}", cost: 0, templates: delete }
            overrides:                          # per tenant, per group
              acme: { portrait: { count_mode_qps: 20 } }
            catalog:                            # prices from the seed, used by quotes and recorded on grants
              currency: CNY
              packs: { 1000: 400, 10000: 3000, 100000: 20000, 1000000: 120000, 10000000: 320000 }
              qps: [ { below: 50, per_day: 220, per_month: 4800 },
                     { below: 100, per_day: 170, per_month: 4000 },
                     { per_day: 140, per_month: 3600 } ]
              templates: { 100: 400, 1000: 3200, 10000: 24000 }
            """;

    static GatewayConfig config;

    @BeforeAll
    static void parse() throws ConfigException {
        config = ConfigLoader.parse(SPEC_EXAMPLE, "spec.yaml",
                Map.of("QUOTAGATE_ADMIN_TOKEN", "admin-secret", "UPSTREAM_TOKEN", "up-secret"));
    }

    @Test
    void listeners() {
        assertThat(config.server()).isEqualTo(new ServerConfig("0.0.0.0", 8080, 50L * 1024 * 1024, null,
                Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(30), 8192, 16384, 0,
                Duration.ofSeconds(30), Duration.ofSeconds(60), 16 * 1024, 10_000, 1_000, UnderscoresInHeaders.DROP));
        assertThat(config.admin()).isEqualTo(new AdminConfig("127.0.0.1", 9090, "admin-secret"));
        assertThat(config.metrics()).isEqualTo(new MetricsConfig(true));
    }

    @Test
    void upstream() {
        assertThat(config.upstream()).isEqualTo(new UpstreamConfig(URI.create("http://127.0.0.1:9000"),
                Duration.ofSeconds(2), Duration.ofSeconds(120), Map.of("Authorization", "Bearer up-secret"),
                512, Duration.ofSeconds(60), Duration.ofSeconds(60)));
        assertThat(config.upstream().hostHeader()).isEqualTo("127.0.0.1:9000");
    }

    @Test
    void store() {
        assertThat(config.store()).isEqualTo(new StoreConfig(StoreConfig.Type.REDIS,
                new RedisConfig("redis://127.0.0.1:6379", null, null, null, Duration.ofMillis(200), 2),
                OnError.REJECT));
        assertThat(config.store().redis().cluster()).isEmpty();
    }

    @Test
    void defaults() {
        assertThat(config.defaults()).isEqualTo(new Defaults(200, 20, new Span(365, ChronoUnit.DAYS),
                new Span(1, ChronoUnit.YEARS), new RefundPolicy(List.of(
                        new RefundPolicy.StatusRange(500, 599), new RefundPolicy.StatusRange(429, 429)))));
        assertThat(config.defaults().refundOn().refunds(503)).isTrue();
        assertThat(config.defaults().refundOn().refunds(429)).isTrue();
        assertThat(config.defaults().refundOn().refunds(404)).isFalse();
    }

    @Test
    void groupsAndRoutes() {
        assertThat(config.groups()).containsOnlyKeys("portrait");
        assertThat(config.groups().get("portrait")).isEqualTo(new GroupConfig("portrait", 10, 300, null, List.of(
                new RouteConfig("POST", "/v1/portrait/generate", 1, true, TemplateAction.NONE),
                new RouteConfig("GET", "/v1/portrait/tasks/{id}", 0, false, TemplateAction.NONE),
                new RouteConfig("POST", "/v1/templates", 1, true, TemplateAction.CREATE),
                new RouteConfig("DELETE", "/v1/templates/{id}", 0, true, TemplateAction.DELETE))));
        assertThat(config.groups().get("portrait").effectiveOnError(config.store())).isEqualTo(OnError.REJECT);
    }

    @Test
    void overrides() {
        GroupConfig portrait = config.groups().get("portrait");
        assertThat(config.overrides()).isEqualTo(Map.of("acme", Map.of("portrait", new GroupOverride(20, null))));
        assertThat(config.override("acme", "portrait").countModeQps(portrait)).isEqualTo(20);
        assertThat(config.override("acme", "portrait").maxQps(portrait)).isEqualTo(300);
        assertThat(config.override("other", "portrait")).isSameAs(GroupOverride.NONE);
    }

    @Test
    void catalog() {
        Catalog catalog = config.catalog();
        assertThat(catalog.currency()).isEqualTo("CNY");
        assertThat(catalog.packs()).isEqualTo(new TreeMap<>(Map.of(1000L, new BigDecimal("400"),
                10000L, new BigDecimal("3000"), 100000L, new BigDecimal("20000"),
                1000000L, new BigDecimal("120000"), 10000000L, new BigDecimal("320000"))));
        assertThat(catalog.packs().firstKey()).isEqualTo(1000L);
        assertThat(catalog.qps()).containsExactly(
                new Catalog.QpsTier(50, new BigDecimal("220"), new BigDecimal("4800")),
                new Catalog.QpsTier(100, new BigDecimal("170"), new BigDecimal("4000")),
                new Catalog.QpsTier(null, new BigDecimal("140"), new BigDecimal("3600")));
        assertThat(catalog.templates()).isEqualTo(new TreeMap<>(Map.of(100L, new BigDecimal("400"),
                1000L, new BigDecimal("3200"), 10000L, new BigDecimal("24000"))));
    }

    @Test
    void sourceAndHash() {
        assertThat(config.source()).isEqualTo("spec.yaml");
        // SHA-256 of the UTF-8 text, lower-case hex: stable across replicas reading the same file.
        assertThat(config.contentHash()).hasSize(64).matches("[0-9a-f]{64}");
        assertThat(config.contentHash()).isNotEqualTo(ConfigDefaultsTest.minimal().contentHash());
    }

    @Test
    void adminTokenIsNotPrinted() {
        assertThat(config.admin().toString()).doesNotContain("admin-secret").contains("<redacted>");
    }
}
