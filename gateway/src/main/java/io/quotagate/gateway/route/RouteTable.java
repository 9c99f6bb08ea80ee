package io.quotagate.gateway.route;

import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.config.GroupConfig;
import io.quotagate.gateway.config.RouteConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Matches {@code METHOD PATH} against the routes of every group, in config order; the first match wins.
 * A pattern segment {@code {name}} matches exactly one non-empty segment; a trailing {@code **} matches
 * the rest of the path (zero or more segments). Matching is on the raw path: no decoding, no dot-segment
 * removal. That is safe only because the proxy's request parser ({@code proxy.PathCheck}) refuses, with 400 and
 * before admission, a path with a dot segment ({@code .} or {@code ..}, also percent-encoded), an encoded slash or
 * backslash, a backslash or an encoded NUL; so {@code /v1/a/../b} never reaches here, and {@code {name}} or
 * {@code **} never matches a segment an upstream would resolve elsewhere. Empty segments are not refused: a path
 * {@code /v1//b} matches no literal segment and no {@code {name}} there, but {@code **} takes it as it is.
 */
public final class RouteTable {

    private final List<Entry> entries;

    private RouteTable(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The routes of {@code config}, in file order. */
    public static RouteTable of(GatewayConfig config) {
        List<Entry> entries = new ArrayList<>();
        for (GroupConfig group : config.groups().values()) {
            for (RouteConfig route : group.routes()) {
                entries.add(new Entry(new RouteMatch(group, route), route.method(), split(route.path())));
            }
        }
        return new RouteTable(entries);
    }

    /**
     * The first route whose method equals {@code method} (case-sensitive, as HTTP methods are) and
     * whose pattern matches {@code path}.
     *
     * @param path the raw path of the request target with the query string already removed by the
     *             caller: a {@code ?} here is taken as part of the last segment
     */
    public Optional<RouteMatch> match(String method, String path) {
        // Runs on every request: the path is scanned in place (no split, no array) and the Optional is prebuilt.
        for (Entry entry : entries) {
            if (entry.method.equals(method) && entry.matches(path)) {
                return entry.found;
            }
        }
        return Optional.empty();
    }

    /** "/a/b/" → [a, b, ""]; "/" → []. The leading slash is dropped, an empty last segment kept. */
    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    /**
     * A route with its pattern pre-split; {@code fixed} segments must match one by one, then a trailing
     * {@code **} ({@code rest}) takes whatever is left.
     */
    private static final class Entry {
        final String method;
        final Optional<RouteMatch> found;
        final String[] fixed;
        final boolean[] variable;
        final boolean rest;

        Entry(RouteMatch match, String method, String[] pattern) {
            this.method = method;
            this.found = Optional.of(match);
            this.rest = pattern.length > 0 && pattern[pattern.length - 1].equals("**");
            this.fixed = rest ? Arrays.copyOf(pattern, pattern.length - 1) : pattern;
            this.variable = new boolean[fixed.length];
            for (int i = 0; i < fixed.length; i++) {
                String p = fixed[i];
                variable[i] = p.length() > 2 && p.charAt(0) == '{' && p.charAt(p.length() - 1) == '}';
            }
        }

        /** The same segments as {@link #split} would give, walked by index. */
        boolean matches(String path) {
            int len = path.length();
            int pos = path.startsWith("/") ? 1 : 0;
            if (pos == len) { // no segment at all
                return fixed.length == 0; // "**" alone matches nothing and so does "/"
            }
            for (int i = 0; i < fixed.length; i++) {
                if (pos > len) {
                    return false; // fewer segments than the pattern has
                }
                int end = path.indexOf('/', pos);
                if (end < 0) {
                    end = len;
                }
                if (variable[i] ? end == pos
                        : end - pos != fixed[i].length() || !path.regionMatches(pos, fixed[i], 0, end - pos)) {
                    return false;
                }
                pos = end + 1;
            }
            return rest || pos == len + 1; // without **, the last fixed segment must have ended the path
        }
    }
}
