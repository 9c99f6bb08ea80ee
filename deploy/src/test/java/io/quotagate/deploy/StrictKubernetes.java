package io.quotagate.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a Kubernetes manifest into the fabric8 model of the Kubernetes API (the class chosen by its
 * {@code apiVersion} and {@code kind}) and refuses what the API server would refuse or silently drop: an unknown
 * kind, a field the schema does not have at any depth, and a scalar of the wrong type ({@code port: "8080"}).
 * <p>
 * The model keeps unknown fields in each object's {@code additionalProperties} instead of failing (it must read
 * newer servers' objects), so after reading, every object of the tree is visited and any such field is reported
 * with its path.
 */
final class StrictKubernetes {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private StrictKubernetes() {
    }

    /** The manifest as its model class; throws {@link IllegalArgumentException} naming every problem found. */
    static KubernetesResource read(Map<String, Object> manifest, String source) {
        KubernetesResource resource;
        try {
            resource = MAPPER.convertValue(manifest, KubernetesResource.class);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        if (resource == null || resource.getClass().getSimpleName().equals("GenericKubernetesResource")) {
            throw new IllegalArgumentException(source + ": unknown kind " + manifest.get("apiVersion") + "/" + manifest.get("kind"));
        }
        List<String> unknown = new ArrayList<>();
        visit(resource, manifest.get("kind").toString(), unknown);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(source + ": fields not in the Kubernetes API: " + String.join(", ", unknown));
        }
        return resource;
    }

    private static void visit(Object node, String path, List<String> unknown) {
        if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                visit(list.get(i), path + "[" + i + "]", unknown);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> visit(value, path + "." + key, unknown));
            return;
        }
        if (node == null || !node.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || getter.getDeclaringClass() == Object.class || !getter.getName().startsWith("get")) {
                continue;
            }
            Object value = invoke(getter, node);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra) {
                    extra.keySet().forEach(key -> unknown.add(path + "." + key));
                }
            } else {
                visit(value, path + "." + field(getter.getName()), unknown);
            }
        }
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(getter.toString(), e);
        }
    }

    private static String field(String getter) {
        return Character.toLowerCase(getter.charAt(3)) + getter.substring(4);
    }
}
