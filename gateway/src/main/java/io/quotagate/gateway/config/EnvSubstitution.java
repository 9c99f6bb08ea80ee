package io.quotagate.gateway.config;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in a scalar value, like a POSIX shell: the
 * default applies when the variable is unset or empty, and an unset {@code ${VAR}} without default is
 * an error (a secret that silently became empty would disable a credential). {@code $$} writes a
 * literal {@code $}; any other {@code $} is kept as is. Replacement text is not scanned again, so an
 * environment value cannot inject further references.
 */
final class EnvSubstitution {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private EnvSubstitution() {
    }

    static String apply(String raw, ConfigNode where) throws ConfigException {
        if (raw.indexOf('$') < 0) {
            return raw;
        }
        Map<String, String> env = where.context().env();
        StringBuilder out = new StringBuilder(raw.length());
        int i = 0;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            char next = i + 1 < raw.length() ? raw.charAt(i + 1) : 0;
            if (c == '$' && next == '$') {
                out.append('$');
                i += 2;
            } else if (c == '$' && next == '{') {
                int end = raw.indexOf('}', i + 2);
                if (end < 0) {
                    throw where.error("unterminated ${ in " + ConfigNode.show(raw) + " (expected: ${NAME} or ${NAME:-default})");
                }
                out.append(lookup(raw.substring(i + 2, end), env, where));
                i = end + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static String lookup(String reference, Map<String, String> env, ConfigNode where) throws ConfigException {
        int separator = reference.indexOf(":-");
        String name = separator < 0 ? reference : reference.substring(0, separator);
        if (!NAME.matcher(name).matches()) {
            throw where.error("${" + reference + "}: invalid variable name (expected: ${NAME} or ${NAME:-default})");
        }
        String value = env.get(name);
        if (separator >= 0) {
            return value == null || value.isEmpty() ? reference.substring(separator + 2) : value;
        }
        if (value == null) {
            throw where.error("environment variable " + name + " is not set"
                    + " (set it, or write ${" + name + ":-} to allow it to be empty)");
        }
        return value;
    }
}
