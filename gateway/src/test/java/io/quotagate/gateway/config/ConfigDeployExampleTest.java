package io.quotagate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.RouteConfig.TemplateAction;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/quotagate.yaml}, the file of the README's first command, loads with no environment
 * variables and describes the memory store, the local upstream and the portrait group of SPEC §4.
 */
class ConfigDeployExampleTest {

    /** Surefire runs with the module directory as working directory. */
    static final Path EXAMPLE = Path.of("../deploy/quotagate.yaml");

    @Test
    void loadsWithoutEnvironment() throws Exception {
        String yaml = Files.readString(EXAMPLE);
        GatewayConfig config = ConfigLoader.parse(yaml, EXAMPLE.toString(), Map.of());

        assertThat(config.server().port()).isEqualTo(8080);
        assertThat(config.server().maxBody()).isEqualTo(50L * 1024 * 1024);
        assertThat(config.server().tls()).isNull();
        assertThat(config.admin()).isEqualTo(new AdminConfig("127.0.0.1", 9090, ""));
        assertThat(config.admin().hasToken()).isFalse();
        assertThat(config.upstream().url()).isEqualTo(URI.create("http://127.0.0.1:9000"));
        assertThat(config.upstream().responseTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(config.upstream().headers()).isEqualTo(Map.of("Authorization", "Bearer"));
        assertThat(config.store()).isEqualTo(new StoreConfig(StoreConfig.Type.MEMORY, null, OnError.REJECT));
        assertThat(config.defaults().freeCalls()).isEqualTo(200);
        assertThat(config.defaults().packValidity().toString()).isEqualTo("1y");
        assertThat(config.overrides()).isEmpty();
        assertThat(config.metrics()).isEqualTo(new MetricsConfig(true, 20, Duration.ofMinutes(1), 10_000));
        assertThat(config.quotaApi()).isEqualTo(QuotaApiConfig.DEFAULT);
        assertThat(config.events()).isEqualTo(EventsConfig.OFF); // no QUOTAGATE_WEBHOOK_URL: events off
        assertThat(config.status()).isEqualTo(new StatusConfig(true, "0.0.0.0", 9091));
        assertThat(config.accessLog()).isEqualTo(new AccessLogConfig(true, "", 16_384));
    }

    @Test
    void portraitGroupAndCatalog() throws Exception {
        GatewayConfig config = ConfigLoader.parse(Files.readString(EXAMPLE), "example", Map.of());
        GroupConfig portrait = config.groups().get("portrait");
        assertThat(config.groups()).containsOnlyKeys("portrait");
        assertThat(portrait.countModeQps()).isEqualTo(10);
        assertThat(portrait.maxQps()).isEqualTo(300);
        assertThat(portrait.routes()).extracting(RouteConfig::match).containsExactly(
                "POST /v1/portrait/generate", "GET /v1/portrait/tasks/{id}", "POST /v1/templates", "DELETE /v1/templates/{id}");
        assertThat(portrait.routes()).extracting(RouteConfig::templates).containsExactly(
                TemplateAction.NONE, TemplateAction.NONE, TemplateAction.CREATE, TemplateAction.DELETE);
        assertThat(portrait.routes().get(1).qps()).isFalse();
        assertThat(config.catalog().currency()).isEqualTo("CNY");
        assertThat(config.catalog().packs()).containsEntry(10_000_000L, new BigDecimal("320000")).hasSize(5);
        assertThat(config.catalog().qps()).hasSize(3);
        assertThat(config.catalog().qps().get(2).below()).isNull();
        assertThat(config.catalog().templates()).containsEntry(10_000L, new BigDecimal("24000")).hasSize(3);
    }

    @Test
    void loadsThroughTheFileApi() throws Exception {
        // load() reads the real environment; the example depends on no variable being set.
        assertThat(ConfigLoader.load(EXAMPLE).source()).isEqualTo(EXAMPLE.toString());
    }
}
