package io.quotagate.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * YAML as Kubernetes, Compose and Prometheus read it, but stricter: a repeated key is an error (the tools keep
 * the last one silently, which hides a typo), and every document of a multi-document file is returned.
 */
final class Yaml {

    private Yaml() {
    }

    static List<Object> documents(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        org.yaml.snakeyaml.Yaml yaml = new org.yaml.snakeyaml.Yaml(new SafeConstructor(options));
        List<Object> documents = new ArrayList<>();
        for (Object document : yaml.loadAll(text)) {
            if (document != null) {
                documents.add(document);
            }
        }
        return documents;
    }

    /** The one document of {@code text}, a mapping. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(String text) {
        List<Object> documents = documents(text);
        if (documents.size() != 1 || !(documents.get(0) instanceof Map)) {
            throw new IllegalArgumentException("expected one YAML mapping, found " + documents.size() + " document(s)");
        }
        return (Map<String, Object>) documents.get(0);
    }

    /** {@code node.key} as a mapping (empty when absent). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> child(Map<String, Object> node, String key) {
        Object value = node.get(key);
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    /** {@code node.key} as a list (empty when absent). */
    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> node, String key) {
        Object value = node.get(key);
        return value == null ? List.of() : (List<Object>) value;
    }
}
