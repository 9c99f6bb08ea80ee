package io.quotagate.gateway.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One composed YAML node with the key path and key line that lead to it: the walker the section
 * readers use, so that every conversion error names file, line and key path. Scalar values pass
 * through {@link EnvSubstitution} before conversion, and conversion goes by the text (the schema
 * decides the type, not YAML's implicit tags). Mapping keys are never substituted.
 */
final class ConfigNode {

    private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]{1,18}");
    private static final int SHOWN_MAX = 80;

    private final Node node;
    private final String path;
    private final int keyLine;
    private final ParseContext context;

    ConfigNode(Node node, String path, int keyLine, ParseContext context) {
        this.node = node;
        this.path = path;
        this.keyLine = keyLine;
        this.context = context;
    }

    String path() {
        return path;
    }

    /** Line of the value itself. */
    int line() {
        return node.getStartMark() == null ? keyLine : node.getStartMark().getLine() + 1;
    }

    /** Line of the key (or list item) that introduced the value: where a missing sub-key is reported. */
    int keyLine() {
        return keyLine;
    }

    ParseContext context() {
        return context;
    }

    /** {@code key:}, {@code key: ~} and {@code key: null} count as absent. */
    boolean isNull() {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    ConfigException error(String detail) {
        return new ConfigException(context.source(), line(), path, detail);
    }

    /** An error about the key rather than its value (unknown group, bad header name). */
    ConfigException keyError(String detail) {
        return new ConfigException(context.source(), keyLine, path, detail);
    }

    ConfigException invalid(String value, String expected) {
        return error(show(value) + " (expected: " + expected + ")");
    }

    /** A mapping whose keys must be among {@code allowedKeys}; null reads as an empty mapping. */
    ConfigMap map(String... allowedKeys) throws ConfigException {
        return asMap(Set.of(allowedKeys));
    }

    /** A mapping with free keys (group names, header names, pack sizes). */
    ConfigMap openMap() throws ConfigException {
        return asMap(null);
    }

    private ConfigMap asMap(Set<String> allowedKeys) throws ConfigException {
        if (isNull()) {
            return ConfigMap.empty(path, keyLine, context);
        }
        if (!(node instanceof MappingNode mapping)) {
            throw mismatch("a mapping");
        }
        return ConfigMap.of(this, mapping, allowedKeys);
    }

    List<ConfigNode> list() throws ConfigException {
        if (isNull()) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            throw mismatch("a list");
        }
        List<ConfigNode> items = new ArrayList<>();
        List<Node> values = sequence.getValue();
        for (int i = 0; i < values.size(); i++) {
            Node item = values.get(i);
            items.add(new ConfigNode(item, path + "[" + i + "]", item.getStartMark().getLine() + 1, context));
        }
        return items;
    }

    /** The scalar's text after {@code ${VAR}} substitution. */
    String string() throws ConfigException {
        if (!(node instanceof ScalarNode scalar)) {
            throw mismatch("a single value");
        }
        return isNull() ? "" : EnvSubstitution.apply(scalar.getValue(), this);
    }

    /** A decimal integer in {@code min..max}. */
    long integer(long min, long max) throws ConfigException {
        String text = string();
        if (!INTEGER.matcher(text).matches()) {
            throw invalid(text, "an integer");
        }
        long value = Long.parseLong(text);
        if (value < min) {
            throw invalid(text, ">= " + min);
        }
        if (value > max) {
            throw invalid(text, "<= " + max);
        }
        return value;
    }

    boolean bool() throws ConfigException {
        String text = string();
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(text, "true or false");
        };
    }

    String choice(String... options) throws ConfigException {
        String text = string();
        for (String option : options) {
            if (option.equals(text)) {
                return option;
            }
        }
        throw invalid(text, "one of: " + String.join(", ", options));
    }

    /** An exact duration, {@code > 0} unless {@code allowZero}. */
    Duration duration(boolean allowZero) throws ConfigException {
        String text = string();
        Duration value;
        try {
            value = Durations.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw invalid(text, e.getMessage());
        }
        if (value.isZero() && !allowZero) {
            throw invalid(text, "> 0");
        }
        return value;
    }

    /** A validity period, {@code > 0}. */
    Span span() throws ConfigException {
        String text = string();
        Span value;
        try {
            value = Durations.parseSpan(text);
        } catch (IllegalArgumentException e) {
            throw invalid(text, e.getMessage());
        }
        if (value.amount() == 0) {
            throw invalid(text, "> 0");
        }
        return value;
    }

    long size(long min, long max) throws ConfigException {
        String text = string();
        long value;
        try {
            value = Sizes.parse(text);
        } catch (IllegalArgumentException e) {
            throw invalid(text, e.getMessage());
        }
        if (value < min) {
            throw invalid(text, ">= " + Sizes.format(min));
        }
        if (value > max) {
            throw invalid(text, "<= " + Sizes.format(max));
        }
        return value;
    }

    /** A positive decimal amount of money. */
    BigDecimal price() throws ConfigException {
        String text = string();
        try {
            BigDecimal value = new BigDecimal(text);
            if (value.signum() > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below with the same message as a non-positive amount
        }
        throw invalid(text, "a price > 0");
    }

    private ConfigException mismatch(String expected) {
        String found = node instanceof MappingNode ? "a mapping" : node instanceof SequenceNode ? "a list"
                : show(((ScalarNode) node).getValue());
        return error(found + " (expected: " + expected + ")");
    }

    /** A value as shown in messages: quoted when empty or when it has spaces, cut when long. */
    static String show(String value) {
        String shown = value.length() > SHOWN_MAX ? value.substring(0, SHOWN_MAX) + "…" : value;
        boolean plain = !shown.isEmpty() && shown.chars().noneMatch(c -> c <= ' ' || c == '"' || c == 0x7f);
        return plain ? shown : '"' + shown.replace("\"", "\\\"") + '"';
    }
}
