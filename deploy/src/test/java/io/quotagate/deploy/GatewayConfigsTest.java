package io.quotagate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quotagate.gateway.config.ConfigException;
import io.quotagate.gateway.config.ConfigLoader;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.config.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gateway configs shipped under {@code deploy/} pass the gateway's own validator: the container config (compose
 * and the image's default), the Kubernetes ConfigMap's, and that one with each store example of
 * {@code deploy/k8s/store-examples/} in place of its store section. Each file also sets the status listener that
 * the probes and Prometheus use.
 */
class GatewayConfigsTest {

    private static final String COMPOSE_CONFIG = "deploy/compose/gateway/quotagate.yaml";
    private static final Map<String, String> SECRETS = Map.of("QUOTAGATE_ADMIN_TOKEN", "t0ken", "REDIS_PASSWORD", "pw");

    @Test
    void theContainerConfigRunsOnRedisWithTheAdminApiOnLoopback() throws Exception {
        GatewayConfig config = parse(COMPOSE_CONFIG, Repo.read(COMPOSE_CONFIG), SECRETS);
        assertThat(config.store().type()).isEqualTo(StoreConfig.Type.REDIS);
        assertThat(config.store().redis().address()).isEqualTo("redis://redis:6379");
        assertThat(config.admin().bind()).isEqualTo("127.0.0.1");
        assertThat(config.admin().token()).isEqualTo("t0ken");
        assertThat(config.upstream().url().toString()).isEqualTo("http://demo-upstream:9000");
        assertThat(Yaml.child(Yaml.map(Repo.read(COMPOSE_CONFIG)), "status")).containsEntry("bind", "0.0.0.0").containsEntry("port", 9091);
    }

    @Test
    void theContainerConfigRefusesToStartWithoutAnAdminToken() {
        assertThatThrownBy(() -> parse(COMPOSE_CONFIG, Repo.read(COMPOSE_CONFIG), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("QUOTAGATE_ADMIN_TOKEN");
    }

    @Test
    void theConfigMapsConfigIsValid() throws Exception {
        GatewayConfig config = parse("configmap.yaml", configMapYaml(), SECRETS);
        assertThat(config.store().redis().address()).isEqualTo("redis://redis:6379");
        assertThat(config.admin().bind()).isEqualTo("127.0.0.1");
    }

    @Test
    void eachStoreExampleIsValidInPlaceOfTheConfigMapsStore() throws Exception {
        RedisConfig managed = withStore("managed-redis.yaml");
        assertThat(managed.address()).startsWith("rediss://");
        assertThat(managed.password()).isEqualTo("pw");
        RedisConfig sentinel = withStore("sentinel.yaml");
        assertThat(sentinel.sentinel().master()).isEqualTo("mymaster");
        assertThat(sentinel.sentinel().addresses()).hasSize(3);
        RedisConfig cluster = withStore("cluster.yaml");
        assertThat(cluster.cluster()).hasSize(3);
        assertThat(Files.list(KubernetesManifests.STORE_EXAMPLES)).hasSize(3);
    }

    // --- helpers

    private static RedisConfig withStore(String example) throws Exception {
        Path file = KubernetesManifests.STORE_EXAMPLES.resolve(example);
        String yaml = replaceSection(configMapYaml(), "store", Files.readString(file));
        GatewayConfig config = parse(example, yaml, SECRETS);
        assertThat(config.store().type()).isEqualTo(StoreConfig.Type.REDIS);
        return config.store().redis();
    }

    /** {@code yaml} with its top-level {@code section} (the key's line and the indented lines after it) replaced. */
    static String replaceSection(String yaml, String section, String replacement) {
        StringBuilder out = new StringBuilder();
        boolean inside = false;
        boolean replaced = false;
        for (String line : yaml.split("\n", -1)) {
            if (line.startsWith(section + ":")) {
                inside = true;
                replaced = true;
                out.append(replacement.strip()).append('\n');
                continue;
            }
            if (inside && (line.isEmpty() || line.startsWith(" ") || line.startsWith("#"))) {
                continue;
            }
            inside = false;
            out.append(line).append('\n');
        }
        assertThat(replaced).as("a top-level %s: section", section).isTrue();
        return out.toString();
    }

    private static String configMapYaml() throws Exception {
        return KubernetesManifests.load().config().getData().get("quotagate.yaml");
    }

    /** The gateway's validator on the whole file (status listener, store and all). */
    private static GatewayConfig parse(String source, String yaml, Map<String, String> env) throws ConfigException {
        return ConfigLoader.parse(yaml, source, env);
    }
}
