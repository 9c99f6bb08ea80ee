package io.quotagate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.RouteConfig.TemplateAction;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A config with only {@code groups} runs on the memory store with the defaults of SPEC §4. */
class ConfigDefaultsTest {

    static final String MINIMAL = """
            groups:
              portrait:
                routes:
                  - match: "POST /v1/portrait/generate"
            """;

    static GatewayConfig minimal() {
        try {
            return ConfigLoader.parse(MINIMAL, "minimal.yaml", Map.of());
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void server() {
        ServerConfig server = minimal().server();
        assertThat(server.bind()).isEqualTo("0.0.0.0");
        assertThat(server.port()).isEqualTo(8080);
        assertThat(server.maxBody()).isEqualTo(52_428_800L);
        assertThat(server.tls()).isNull();
        assertThat(server.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(server.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(server.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(server.maxInitialLineLength()).isEqualTo(8192);
        assertThat(server.maxHeaderSize()).isEqualTo(16384);
        assertThat(server.ioThreads()).isZero();
        assertThat(server.bodyTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(server.writeIdle()).isEqualTo(Duration.ofSeconds(60));
        assertThat(server.bodyBuffer()).isEqualTo(16_384);
        assertThat(server.maxConnections()).isEqualTo(10_000);
        assertThat(server.maxConnectionsPerAddress()).isEqualTo(1_000);
        assertThat(server.underscoresInHeaders()).isEqualTo(UnderscoresInHeaders.DROP);
    }

    @Test
    void quotaApiIsOnAtV1QuotaWithFiveReadsPerKeyPerSecond() throws Exception {
        assertThat(minimal().quotaApi()).isEqualTo(new QuotaApiConfig(true, "/v1/quota", 5));
        GatewayConfig custom = ConfigLoader.parse("quota_api: { enabled: false, path: /api/balance, per_key_qps: 2 }\n"
                + MINIMAL, "custom.yaml", Map.of());
        assertThat(custom.quotaApi()).isEqualTo(new QuotaApiConfig(false, "/api/balance", 2));
    }

    @Test
    void eventsAreOffUntilAWebhookIsSetThenTenPercentAndThirtyDayNotices() throws Exception {
        assertThat(minimal().events()).isEqualTo(EventsConfig.OFF);
        assertThat(minimal().events().enabled()).isFalse();
        GatewayConfig on = ConfigLoader.parse("""
                events:
                  webhook_url: https://billing.example/hooks/quota
                  secret: whsec-0123456789abcdef
                  groups: { portrait: { low_calls: 1000 } }
                """ + MINIMAL, "events.yaml", Map.of());
        EventsConfig events = on.events();
        assertThat(events.enabled()).isTrue();
        assertThat(events.lowCalls("portrait")).isEqualTo(EventsConfig.Threshold.calls(1000));
        assertThat(events.lowCalls("other")).isEqualTo(EventsConfig.Threshold.percent(10));
        assertThat(events.lotExpiryNotice()).isEqualTo(Duration.ofDays(30));
        assertThat(events.qpsEndNotice()).isEqualTo(Duration.ofDays(30));
        assertThat(EventsConfig.Threshold.percent(10).resolve(1001)).isEqualTo(101);
    }

    @Test
    void underscoresInHeadersCanBeForwarded() throws ConfigException {
        GatewayConfig config = ConfigLoader.parse("server:\n  underscores_in_headers: forward\n" + MINIMAL, "u.yaml", Map.of());
        assertThat(config.server().underscoresInHeaders()).isEqualTo(UnderscoresInHeaders.FORWARD);
    }

    @Test
    void adminHasNoTokenAndStaysOnLoopback() {
        AdminConfig admin = minimal().admin();
        assertThat(admin).isEqualTo(new AdminConfig("127.0.0.1", 9090, ""));
        assertThat(admin.hasToken()).isFalse();
        assertThat(admin.throttle()).isEqualTo(new AdminConfig.Throttle(10, Duration.ofMinutes(1), Duration.ofMinutes(1)));
    }

    @Test
    void theAdminThrottleCanBeTuned() throws ConfigException {
        GatewayConfig config = ConfigLoader.parse("admin:\n  throttle: { failures: 5, window: 10m, cooldown: 15m }\n"
                + MINIMAL, "t.yaml", Map.of());
        assertThat(config.admin().throttle())
                .isEqualTo(new AdminConfig.Throttle(5, Duration.ofMinutes(10), Duration.ofMinutes(15)));
    }

    @Test
    void upstream() {
        UpstreamConfig upstream = minimal().upstream();
        assertThat(upstream.url()).isEqualTo(URI.create("http://127.0.0.1:9000"));
        assertThat(upstream.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(upstream.responseTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(upstream.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(upstream.headers()).isEmpty();
        assertThat(upstream.maxConnections()).isEqualTo(512);
        assertThat(upstream.poolIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void memoryStoreFailingClosed() {
        assertThat(minimal().store()).isEqualTo(new StoreConfig(StoreConfig.Type.MEMORY, null, OnError.REJECT));
    }

    @Test
    void plan() {
        Defaults defaults = minimal().defaults();
        assertThat(defaults.freeCalls()).isEqualTo(200);
        assertThat(defaults.freeTemplates()).isEqualTo(20);
        assertThat(defaults.freePackValidity()).isEqualTo(new Span(365, ChronoUnit.DAYS));
        assertThat(defaults.packValidity()).isEqualTo(new Span(1, ChronoUnit.YEARS));
        assertThat(defaults.refundOn().ranges()).containsExactly(
                new RefundPolicy.StatusRange(500, 599), new RefundPolicy.StatusRange(429, 429));
    }

    @Test
    void groupAndRouteDefaults() {
        GroupConfig group = minimal().groups().get("portrait");
        assertThat(group).isEqualTo(new GroupConfig("portrait", 10, 300, null,
                List.of(new RouteConfig("POST", "/v1/portrait/generate", 1, true, TemplateAction.NONE))));
    }

    @Test
    void noOverridesNoCatalogTenantLabelOn() {
        GatewayConfig config = minimal();
        assertThat(config.overrides()).isEmpty();
        assertThat(config.catalog()).isEqualTo(Catalog.EMPTY);
        assertThat(config.catalog().packs()).isEmpty();
        assertThat(config.metrics().tenantLabel()).isTrue();
    }

    @Test
    void statusListenerAndAccessLogAreOffWithoutTheirSectionsAndLowCallsHasDefaults() {
        GatewayConfig config = minimal();
        assertThat(config.status()).isEqualTo(StatusConfig.OFF);
        assertThat(config.status().enabled()).isFalse();
        assertThat(config.accessLog()).isEqualTo(AccessLogConfig.OFF);
        assertThat(config.accessLog().enabled()).isFalse();
        assertThat(config.metrics()).isEqualTo(new MetricsConfig(true, 20, Duration.ofMinutes(1), 10_000));
    }

    @Test
    void aStatusSectionTurnsTheListenerOnWithDefaultsAndAnAccessLogSectionTheLog() throws Exception {
        GatewayConfig config = ConfigLoader.parse("status: {}\naccess_log: { file: access.log }\n"
                + "metrics: { low_calls: { threshold: 5, interval: 10s, max_tenants: 100 } }\n"
                + "groups:\n  g:\n    routes: [ { match: \"GET /a\" } ]\n", "t.yaml", Map.of());
        assertThat(config.status()).isEqualTo(new StatusConfig(true, "0.0.0.0", 9091));
        assertThat(config.accessLog().enabled()).isTrue();
        assertThat(config.accessLog().file()).isEqualTo(Path.of("access.log").toAbsolutePath().toString());
        assertThat(config.metrics()).isEqualTo(new MetricsConfig(true, 5, Duration.ofSeconds(10), 100));
    }

    @Test
    void emptySectionsAndNullValuesTakeDefaults() throws ConfigException {
        GatewayConfig config = ConfigLoader.parse("""
                server:
                admin: {}
                store: { type: memory, on_error: ~ }
                defaults: { refund_on: null }
                """ + MINIMAL, "empty-sections.yaml", Map.of());
        assertThat(config.server().port()).isEqualTo(8080);
        assertThat(config.admin().port()).isEqualTo(9090);
        assertThat(config.store().onError()).isEqualTo(OnError.REJECT);
        assertThat(config.defaults().refundOn().refunds(502)).isTrue();
    }

    @Test
    void groupsKeepFileOrder() throws ConfigException {
        StringBuilder yaml = new StringBuilder("groups:\n");
        List<String> names = List.of("zeta", "alpha", "mid", "beta", "omega", "gamma", "delta", "kappa");
        for (int i = 0; i < names.size(); i++) {
            yaml.append("  ").append(names.get(i)).append(": { routes: [ { match: \"GET /r").append(i).append("\" } ] }\n");
        }
        GatewayConfig config = ConfigLoader.parse(yaml.toString(), "order.yaml", Map.of());
        assertThat(config.groups().keySet()).containsExactlyElementsOf(names);
    }
}
