package io.quotagate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.quotagate.gateway.config.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/k8s/}: every object is valid against the Kubernetes API model (unknown fields fail), and the
 * objects fit together: selectors select the gateway's pods, named ports exist, probes hit the status listener,
 * the grace period outlasts the pause before SIGTERM plus the gateway's shutdown timeout, and the config is
 * mounted so that the ConfigMap's updates reach the gateway.
 */
class KubernetesManifestsTest {

    private static KubernetesManifests k8s;

    @BeforeAll
    static void load() throws Exception {
        k8s = KubernetesManifests.load();
    }

    @Test
    void everyObjectIsOfAKnownKindWithOnlyFieldsOfTheApi() throws Exception {
        // load() read every document strictly; here, that nothing was skipped and every kind the issue asks for is there.
        assertThat(KubernetesManifests.files()).extracting(p -> KubernetesManifests.K8S.relativize(p).toString())
                .contains("deployment.yaml", "service.yaml", "configmap.yaml", "hpa.yaml", "pdb.yaml",
                        "servicemonitor.yaml", "secret/quotagate-secrets.yaml", "redis/redis.yaml");
        assertThat(k8s.all()).extracting(HasMetadata::getKind).contains("Deployment", "Service", "ConfigMap", "Secret",
                "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor", "StatefulSet");
    }

    @Test
    void theStrictReaderRefusesAnUnknownFieldAWrongTypeAndAnUnknownKind() {
        // The check above is only worth something if a typo fails it.
        Map<String, Object> typo = Yaml.map("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: { name: x }
                spec:
                  selector: { matchLabels: { a: b } }
                  template:
                    metadata: { labels: { a: b } }
                    spec:
                      containers:
                        - name: c
                          image: i
                          livenesProbe: { httpGet: { path: /healthz, port: 9091 } }
                """);
        assertThatThrownBy(() -> StrictKubernetes.read(typo, "typo"))
                .hasMessageContaining("Deployment.spec.template.spec.containers[0].livenesProbe");
        Map<String, Object> wrongType = Yaml.map("""
                apiVersion: v1
                kind: Service
                metadata: { name: x }
                spec: { ports: [ { port: "eighty" } ] }
                """);
        assertThatThrownBy(() -> StrictKubernetes.read(wrongType, "type")).hasMessageContaining("type:");
        Map<String, Object> unknownKind = Yaml.map("""
                apiVersion: example.com/v1
                kind: Gadget
                metadata: { name: x }
                """);
        assertThatThrownBy(() -> StrictKubernetes.read(unknownKind, "kind")).hasMessageContaining("unknown kind");
    }

    @Test
    void theServiceThePodBudgetAndTheAutoscalerPointAtTheGatewayPods() {
        Map<String, String> podLabels = k8s.gateway().getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(k8s.gateway().getSpec().getSelector().getMatchLabels());
        assertThat(podLabels).containsAllEntriesOf(k8s.service().getSpec().getSelector());
        assertThat(podLabels).containsAllEntriesOf(k8s.disruptionBudget().getSpec().getSelector().getMatchLabels());
        assertThat(k8s.disruptionBudget().getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);

        var target = k8s.autoscaler().getSpec().getScaleTargetRef();
        assertThat(List.of(target.getApiVersion(), target.getKind(), target.getName()))
                .containsExactly("apps/v1", "Deployment", "quotagate");
        assertThat(k8s.autoscaler().getSpec().getMinReplicas()).as("one replica is no redundancy").isGreaterThanOrEqualTo(2);
        assertThat(k8s.gateway().getSpec().getReplicas()).isGreaterThanOrEqualTo(2);

        Set<String> containerPorts = gateway().getPorts().stream().map(ContainerPort::getName).collect(Collectors.toSet());
        for (ServicePort port : k8s.service().getSpec().getPorts()) {
            assertThat(containerPorts).as("Service port %s targets a container port", port.getName())
                    .contains(port.getTargetPort().getStrVal());
        }
    }

    @Test
    void probesAskTheStatusListenerHealthForLivenessAndReadinessForTraffic() {
        Container gateway = gateway();
        assertThat(port(gateway, "status")).isEqualTo(9091);
        assertThat(port(gateway, "http")).isEqualTo(8080);
        assertProbe(gateway.getLivenessProbe(), "/healthz");
        assertProbe(gateway.getStartupProbe(), "/healthz");
        assertProbe(gateway.getReadinessProbe(), "/readyz");
    }

    @Test
    void theGracePeriodOutlastsThePreStopPauseAndTheShutdownTimeout() {
        PodSpec pod = k8s.gateway().getSpec().getTemplate().getSpec();
        List<String> preStop = gateway().getLifecycle().getPreStop().getExec().getCommand();
        assertThat(preStop).hasSize(2).first().isEqualTo("sleep");
        Duration pause = Duration.ofSeconds(Long.parseLong(preStop.get(1)));
        Duration shutdown = Durations.parseDuration(Yaml.child(gatewayConfig(), "server").get("shutdown_timeout").toString());
        assertThat(pause).as("the pause lets endpoints drop the pod before SIGTERM").isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(Duration.ofSeconds(pod.getTerminationGracePeriodSeconds()))
                .as("the kubelet's SIGKILL comes after preStop (%s) and server.shutdown_timeout (%s)", pause, shutdown)
                .isGreaterThan(pause.plus(shutdown));
        assertThat(k8s.gateway().getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
    }

    @Test
    void theConfigMapIsMountedAsADirectorySoItsUpdatesReachTheGateway() {
        Container gateway = gateway();
        assertThat(gateway.getArgs()).containsExactly("--config", "/etc/quotagate/quotagate.yaml");
        VolumeMount mount = gateway.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals("/etc/quotagate")).findFirst().orElseThrow();
        assertThat(mount.getSubPath()).as("a subPath mount never sees ConfigMap updates").isNull();
        Volume volume = volume(mount.getName());
        assertThat(volume.getConfigMap().getName()).isEqualTo(k8s.config().getMetadata().getName());
        assertThat(k8s.config().getData()).containsOnlyKeys("quotagate.yaml");
        assertThat(gatewayConfig()).containsKeys("server", "admin", "status", "store", "groups");
    }

    @Test
    void secretsComeFromTheSecretWhoseShapeIsShippedAndTheAdminTokenIsRequired() {
        Map<String, EnvVar> env = gateway().getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        var token = env.get("QUOTAGATE_ADMIN_TOKEN").getValueFrom().getSecretKeyRef();
        assertThat(token.getOptional()).as("no Secret, no start: there is no default token").isNotEqualTo(Boolean.TRUE);
        for (EnvVar var : env.values()) {
            if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
                var ref = var.getValueFrom().getSecretKeyRef();
                assertThat(ref.getName()).isEqualTo(k8s.secret().getMetadata().getName());
                assertThat(k8s.secret().getStringData()).as("key of %s", var.getName()).containsKey(ref.getKey());
            }
        }
        assertThat(k8s.secret().getStringData().get("admin-token")).as("no token is shipped").isEmpty();
    }

    @Test
    void thePodRunsAsTheImagesNonRootUserWithAWritableTmpOnly() {
        PodSpec pod = k8s.gateway().getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(DockerfileTest.runtimeUid());
        assertThat(gateway().getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        VolumeMount tmp = gateway().getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst().orElseThrow();
        assertThat(volume(tmp.getName()).getEmptyDir()).isNotNull();
        assertThat(gateway().getResources().getLimits()).containsKeys("cpu", "memory");
        assertThat(gateway().getResources().getRequests().get("memory"))
                .as("memory request = limit: never killed to make room").isEqualTo(gateway().getResources().getLimits().get("memory"));
    }

    @Test
    void theServiceMonitorScrapesMetricsOnTheServicesStatusPort() {
        ServiceMonitor monitor = k8s.serviceMonitor();
        assertThat(k8s.service().getMetadata().getLabels()).containsAllEntriesOf(monitor.getSpec().getSelector().getMatchLabels());
        Set<String> servicePorts = k8s.service().getSpec().getPorts().stream().map(ServicePort::getName).collect(Collectors.toSet());
        assertThat(monitor.getSpec().getEndpoints()).isNotEmpty();
        for (Endpoint endpoint : monitor.getSpec().getEndpoints()) {
            assertThat(servicePorts).contains(endpoint.getPort());
            assertThat(endpoint.getPath()).isEqualTo("/metrics");
        }
        assertThat(monitor.getSpec().getEndpoints()).extracting(Endpoint::getPort).containsOnly("status");
    }

    @Test
    void theExampleRedisKeepsMoney(@TempDir Path dir) throws Exception {
        String redisConf = k8s.one(io.fabric8.kubernetes.api.model.ConfigMap.class, "redis-config").getData().get("redis.conf");
        assertThat(RedisConf.inForce(redisConf, dir, "appendonly", "appendfsync", "maxmemory-policy", "maxmemory"))
                .containsEntry("appendonly", "yes").containsEntry("appendfsync", "everysec")
                .containsEntry("maxmemory-policy", "noeviction").doesNotContainEntry("maxmemory", "0");
        var redis = k8s.one(io.fabric8.kubernetes.api.model.apps.StatefulSet.class, "redis");
        assertThat(redis.getSpec().getVolumeClaimTemplates()).extracting(c -> c.getMetadata().getName()).containsExactly("data");
        assertThat(gatewayConfig().toString()).contains("redis://redis:6379");
        assertThat(k8s.one(io.fabric8.kubernetes.api.model.Service.class, "redis").getSpec().getPorts())
                .extracting(ServicePort::getPort).containsExactly(6379);
    }

    // --- helpers

    static Map<String, Object> gatewayConfig() {
        return Yaml.map(k8s.config().getData().get("quotagate.yaml"));
    }

    private static Container gateway() {
        List<Container> containers = k8s.gateway().getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).extracting(Container::getName).containsExactly("quotagate");
        return containers.get(0);
    }

    private static int port(Container container, String name) {
        return container.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst().orElseThrow().getContainerPort();
    }

    private static Volume volume(String name) {
        Deployment deployment = k8s.gateway();
        return deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
    }

    private static void assertProbe(Probe probe, String path) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(Objects.requireNonNull(probe.getHttpGet().getPort().getStrVal())).isEqualTo("status");
    }
}
