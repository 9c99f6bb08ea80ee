package io.quotagate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/docker-compose.yml} checked without a container engine: the services it names exist, the files it
 * mounts are in the repository, published ports are unique, the gateways run the Redis-backed config with the
 * token required and a stop grace longer than their shutdown timeout, Redis keeps money, and nginx accepts its
 * configuration.
 */
class ComposeFileTest {

    private static final Path COMPOSE_DIR = Repo.DEPLOY;
    /** Files the observability work adds under deploy/ (prometheus/, grafana/); checked once they are there. */
    private static final Set<String> FROM_OBSERVABILITY = Set.of(
            "prometheus/prometheus.yml", "prometheus/alerts.yml", "grafana/quotagate-dashboard.json");

    @TempDir
    Path dir;

    @Test
    void theStackHasRedisTwoGatewaysTheBalancerTheDemoUpstreamPrometheusAndGrafana() {
        assertThat(services().keySet()).containsExactlyInAnyOrder(
                "redis", "demo-upstream", "gateway-1", "gateway-2", "lb", "prometheus", "grafana");
        // A service's command replaces the image's CMD and is appended to its ENTRYPOINT.
        List<String> argv = new ArrayList<>(entrypoint());
        argv.addAll(command("demo-upstream"));
        assertThat(argv).containsExactly("quotagate", "demo-upstream", "--port", "9000", "--bind", "0.0.0.0");
    }

    @Test
    void dependsOnNamesExistingServices() {
        for (Map.Entry<String, Map<String, Object>> service : services().entrySet()) {
            Object dependsOn = service.getValue().get("depends_on");
            Collection<?> names = dependsOn instanceof Map<?, ?> map ? map.keySet()
                    : dependsOn == null ? List.of() : (List<?>) dependsOn;
            for (Object name : names) {
                assertThat(services()).as("depends_on of %s", service.getKey()).containsKey(name.toString());
            }
        }
    }

    @Test
    void publishedPortsAreUniqueAndOnlyTheApiListensBeyondLoopback() {
        List<String> hostPorts = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> service : services().entrySet()) {
            for (Object port : Yaml.list(service.getValue(), "ports")) {
                String[] parts = port.toString().split(":");
                assertThat(parts).as("host:container or ip:host:container in %s", service.getKey()).hasSizeBetween(2, 3);
                hostPorts.add(parts[parts.length - 2]);
                if (!service.getKey().equals("lb")) {
                    assertThat(parts[0]).as("%s is published on loopback only", service.getKey()).isEqualTo("127.0.0.1");
                }
            }
        }
        assertThat(hostPorts).doesNotHaveDuplicates().contains("8080");
        assertThat(services().get("gateway-1")).as("replicas are reached through the balancer").doesNotContainKey("ports");
    }

    @Test
    void everyMountedFileIsInTheRepositoryAndEveryNamedVolumeIsDeclared() {
        Set<String> declared = Yaml.child(compose(), "volumes").keySet();
        Set<String> used = new HashSet<>();
        for (Map.Entry<String, Map<String, Object>> service : services().entrySet()) {
            for (Object volume : Yaml.list(service.getValue(), "volumes")) {
                String source = volume.toString().split(":")[0];
                if (source.startsWith(".")) {
                    String relative = COMPOSE_DIR.relativize(COMPOSE_DIR.resolve(source).normalize()).toString();
                    if (!FROM_OBSERVABILITY.contains(relative)) {
                        assertThat(COMPOSE_DIR.resolve(source)).as("%s mounts %s", service.getKey(), source).exists();
                    }
                } else {
                    used.add(source);
                }
            }
        }
        assertThat(used).isEqualTo(declared);
        assertThat(Repo.path("deploy/grafana/provisioning/dashboards/quotagate.yml")).exists();
        assertThat(Repo.path("deploy/grafana/provisioning/datasources/prometheus.yml")).exists();
    }

    @Test
    void theObservabilityFilesScrapeBothGatewaysStatusListeners() throws Exception {
        Assumptions.assumeTrue(FROM_OBSERVABILITY.stream().allMatch(f -> Files.exists(COMPOSE_DIR.resolve(f))),
                "deploy/prometheus and deploy/grafana come with the observability work");
        String prometheus = Files.readString(COMPOSE_DIR.resolve("prometheus/prometheus.yml"));
        assertThat(prometheus).contains("gateway-1:9091").contains("gateway-2:9091").contains("alerts.yml");
    }

    @Test
    void bothGatewaysRunTheRedisConfigWithTheTokenRequiredAndAGraceLongerThanTheShutdown() {
        for (String name : List.of("gateway-1", "gateway-2")) {
            Map<String, Object> gateway = services().get(name);
            assertThat(Yaml.list(gateway, "volumes")).containsExactly("./compose/gateway:/etc/quotagate:ro");
            assertThat(Yaml.child(gateway, "environment").get("QUOTAGATE_ADMIN_TOKEN").toString())
                    .as("compose refuses to start without a token").startsWith("${QUOTAGATE_ADMIN_TOKEN:?");
            assertThat(Yaml.child(Yaml.child(gateway, "depends_on"), "redis")).containsEntry("condition", "service_healthy");
            Map<String, Object> config = Yaml.map(Repo.read("deploy/compose/gateway/quotagate.yaml"));
            assertThat(Yaml.child(config, "store")).containsEntry("type", "redis");
            long shutdown = seconds(Yaml.child(config, "server").get("shutdown_timeout").toString());
            assertThat(seconds(gateway.get("stop_grace_period").toString())).isGreaterThan(shutdown);
        }
    }

    @Test
    void redisRunsWithTheAppendOnlyFileAndNeverEvicts() throws Exception {
        assertThat(Yaml.list(services().get("redis"), "volumes"))
                .contains("./compose/redis.conf:/usr/local/etc/redis/redis.conf:ro", "redis-data:/data");
        assertThat(command("redis")).containsExactly("redis-server", "/usr/local/etc/redis/redis.conf");
        String conf = Repo.read("deploy/compose/redis.conf");
        assertThat(conf).contains("\ndir /data\n");
        assertThat(RedisConf.inForce(conf, dir, "appendonly", "appendfsync", "maxmemory-policy", "maxmemory"))
                .containsEntry("appendonly", "yes").containsEntry("appendfsync", "everysec")
                .containsEntry("maxmemory-policy", "noeviction").doesNotContainEntry("maxmemory", "0");
    }

    @Test
    void nginxAcceptsTheBalancersConfiguration() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nginx")), "nginx is installed");
        // The stack's nginx resolves gateway-1/2 through Docker's DNS (`resolve`, nginx >= 1.27.3); here the names
        // are loopback and the check is the syntax and the directives of this machine's nginx.
        String conf = Repo.read("deploy/compose/nginx.conf")
                .replace(" resolve;", ";")
                .replaceAll("gateway-[12]:8080", "127.0.0.1:8080")
                .replace("listen 8080;", "listen 127.0.0.1:18080;")
                .replace("resolver 127.0.0.11", "resolver 127.0.0.1")
                .replace("worker_processes auto;", "worker_processes 1;\npid " + dir.resolve("nginx.pid") + ";\n"
                        + "error_log " + dir.resolve("error.log") + ";");
        Path file = Files.writeString(dir.resolve("nginx.conf"), conf);
        Process nginx = new ProcessBuilder("/usr/sbin/nginx", "-t", "-p", dir.toString(), "-c", file.toString())
                .redirectErrorStream(true).start();
        String output = new String(nginx.getInputStream().readAllBytes());
        assertThat(nginx.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(nginx.exitValue()).as(output).isZero();
    }

    // --- helpers

    private static Map<String, Object> compose() {
        return Yaml.map(Repo.read("deploy/docker-compose.yml"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() {
        return (Map<String, Map<String, Object>>) (Map<String, ?>) Yaml.child(compose(), "services");
    }

    @SuppressWarnings("unchecked")
    private static List<String> command(String service) {
        return (List<String>) services().get(service).get("command");
    }

    private static List<String> entrypoint() {
        List<String> entrypoints = DockerfileTest.runtime().arguments("ENTRYPOINT");
        assertThat(entrypoints).hasSize(1);
        List<String> argv = new ArrayList<>();
        // The exec form is a JSON array, which YAML reads as a flow sequence.
        for (Object part : (List<?>) Yaml.documents(entrypoints.get(0)).get(0)) {
            argv.add(part.toString());
        }
        return argv;
    }

    private static long seconds(String duration) {
        assertThat(duration).matches("[0-9]+s");
        return Long.parseLong(duration.substring(0, duration.length() - 1));
    }
}
