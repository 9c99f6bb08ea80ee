package io.quotagate.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The manifests of {@code deploy/k8s/} (the store examples excepted: they are gateway config, not Kubernetes
 * objects), each read strictly into the Kubernetes API model, and looked up by kind.
 */
final class KubernetesManifests {

    static final Path K8S = Repo.DEPLOY.resolve("k8s");
    static final Path STORE_EXAMPLES = K8S.resolve("store-examples");

    private final List<HasMetadata> resources;

    private KubernetesManifests(List<HasMetadata> resources) {
        this.resources = resources;
    }

    @SuppressWarnings("unchecked")
    static KubernetesManifests load() throws IOException {
        List<HasMetadata> resources = new ArrayList<>();
        for (Path file : files()) {
            List<Object> documents = Yaml.documents(Files.readString(file));
            for (int i = 0; i < documents.size(); i++) {
                String source = Repo.relative(file) + " (document " + (i + 1) + ")";
                KubernetesResource resource = StrictKubernetes.read((Map<String, Object>) documents.get(i), source);
                resources.add((HasMetadata) resource);
            }
        }
        return new KubernetesManifests(resources);
    }

    /** Every YAML file under {@code deploy/k8s/} that holds Kubernetes objects. */
    static List<Path> files() throws IOException {
        return Repo.deployFiles(".yaml", ".yml").stream()
                .filter(p -> p.startsWith(K8S) && !p.startsWith(STORE_EXAMPLES))
                .toList();
    }

    List<HasMetadata> all() {
        return resources;
    }

    <T extends HasMetadata> T one(Class<T> kind, String name) {
        List<T> found = resources.stream().filter(kind::isInstance).map(kind::cast)
                .filter(r -> r.getMetadata().getName().equals(name)).toList();
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " " + kind.getSimpleName() + " named " + name + " in deploy/k8s");
        }
        return found.get(0);
    }

    Deployment gateway() {
        return one(Deployment.class, "quotagate");
    }

    Service service() {
        return one(Service.class, "quotagate");
    }

    ConfigMap config() {
        return one(ConfigMap.class, "quotagate-config");
    }

    Secret secret() {
        return one(Secret.class, "quotagate-secrets");
    }

    HorizontalPodAutoscaler autoscaler() {
        return one(HorizontalPodAutoscaler.class, "quotagate");
    }

    PodDisruptionBudget disruptionBudget() {
        return one(PodDisruptionBudget.class, "quotagate");
    }

    ServiceMonitor serviceMonitor() {
        return one(ServiceMonitor.class, "quotagate");
    }
}
