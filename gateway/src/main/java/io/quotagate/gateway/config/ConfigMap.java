package io.quotagate.gateway.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * A YAML mapping checked on arrival: keys are plain scalars, none repeats (SnakeYAML's composer does
 * not check that; only its constructor would) and, for a fixed schema, every key is known, because a
 * typo such as {@code count_mode_qsp} must not silently drop a limit. Typed getters return the
 * default when a key is absent or null.
 */
final class ConfigMap {

    /** One key and its value; the value node carries the key's line and path. */
    record Entry(String key, ConfigNode value) {
    }

    private final String path;
    private final int line;
    private final ParseContext context;
    private final Map<String, Entry> entries;

    private ConfigMap(String path, int line, ParseContext context, Map<String, Entry> entries) {
        this.path = path;
        this.line = line;
        this.context = context;
        this.entries = entries;
    }

    static ConfigMap empty(String path, int line, ParseContext context) {
        return new ConfigMap(path, line, context, Map.of());
    }

    /** @param allowed the known keys, or null for a mapping with free keys */
    static ConfigMap of(ConfigNode owner, MappingNode mapping, Set<String> allowed) throws ConfigException {
        ParseContext context = owner.context();
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            int keyLine = keyNode.getStartMark().getLine() + 1;
            if (!(keyNode instanceof ScalarNode scalarKey)) {
                throw new ConfigException(context.source(), keyLine, owner.path(), "a key must be a single value, not a list or mapping");
            }
            String key = scalarKey.getValue();
            String childPath = owner.path().isEmpty() ? key : owner.path() + "." + key;
            Entry first = entries.get(key);
            if (first != null) {
                throw new ConfigException(context.source(), keyLine, childPath,
                        "duplicate key (first at line " + first.value().keyLine() + ")");
            }
            if (allowed != null && !allowed.contains(key)) {
                throw new ConfigException(context.source(), keyLine, childPath,
                        "unknown key (expected one of: " + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
            entries.put(key, new Entry(key, new ConfigNode(tuple.getValueNode(), childPath, keyLine, context)));
        }
        return new ConfigMap(owner.path(), owner.keyLine(), context, entries);
    }

    String path() {
        return path;
    }

    List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The value, or null when the key is absent or its value is null. */
    ConfigNode get(String key) {
        Entry entry = entries.get(key);
        return entry == null || entry.value().isNull() ? null : entry.value();
    }

    ConfigNode require(String key, String expected) throws ConfigException {
        ConfigNode node = get(key);
        if (node == null) {
            throw error(key, "missing (expected: " + expected + ")");
        }
        return node;
    }

    /** An error about {@code key}: at its value when present, else at this mapping's key line. */
    ConfigException error(String key, String detail) {
        ConfigNode node = get(key);
        return node != null ? node.error(detail) : new ConfigException(context.source(), line, childPath(key), detail);
    }

    /** A nested section with a fixed set of keys; absent reads as empty, so every key takes its default. */
    ConfigMap section(String key, String... allowedKeys) throws ConfigException {
        ConfigNode node = get(key);
        return node == null ? empty(childPath(key), line, context) : node.map(allowedKeys);
    }

    String string(String key, String defaultValue) throws ConfigException {
        ConfigNode node = get(key);
        return node == null ? defaultValue : node.string();
    }

    int integer(String key, int defaultValue, int min, int max) throws ConfigException {
        ConfigNode node = get(key);
        return node == null ? defaultValue : (int) node.integer(min, max);
    }

    /** An integer or null when absent (overrides keep the group's value then). */
    Integer optionalInteger(String key, int min, int max) throws ConfigException {
        ConfigNode node = get(key);
        return node == null ? null : (int) node.integer(min, max);
    }

    boolean bool(String key, boolean defaultValue) throws ConfigException {
        ConfigNode node = get(key);
        return node == null ? defaultValue : node.bool();
    }

    /** One of {@code options}, or {@code defaultValue} (which may be null) when absent. */
    String choice(String key, String defaultValue, String... options) throws ConfigException {
        ConfigNode node = get(key);
        return node == null ? defaultValue : node.choice(options);
    }

    /** A timeout, {@code > 0}. */
    Duration duration(String key, Duration defaultValue) throws ConfigException {
        ConfigNode node = get(key);
        return node == null ? defaultValue : node.duration(false);
    }

    Duration durationOrZero(String key, Duration defaultValue) throws ConfigException {
        ConfigNode node = get(key);
        return node == null ? defaultValue : node.duration(true);
    }

    Span span(String key, Span defaultValue) throws ConfigException {
        ConfigNode node = get(key);
        return node == null ? defaultValue : node.span();
    }

    long size(String key, long defaultValue, long min, long max) throws ConfigException {
        ConfigNode node = get(key);
        return node == null ? defaultValue : node.size(min, max);
    }

    private String childPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
