package io.quotagate.gateway.route;

import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.config.GroupConfig;
import io.quotagate.gateway.config.RouteConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Matches {@code METHOD PATH} against the routes of every group, in config order; the first match wins.
 * A pattern segment {@code {name}} matches exactly one non-empty segment; a trailing {@code **} matches
 * the rest of the path (zero or more segments). Matching is on the raw path: no decoding, no dot-segment
 * removal, so {@code /v1/a/../b} does not match {@code /v1/b} (and is refused as ambiguous upstream of this).
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
        String[] segments = split(path);
        for (Entry entry : entries) {
            if (entry.method.equals(method) && matches(entry.pattern, segments)) {
                return Optional.of(entry.match);
            }
        }
        return Optional.empty();
    }

    private static boolean matches(String[] pattern, String[] segments) {
        int n = pattern.length;
        boolean rest = n > 0 && pattern[n - 1].equals("**");
        if (rest) {
            n--;
            if (segments.length < n) {
                return false;
            }
        } else if (segments.length != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            String p = pattern[i];
            boolean variable = p.length() > 2 && p.charAt(0) == '{' && p.charAt(p.length() - 1) == '}';
            if (variable ? segments[i].isEmpty() : !p.equals(segments[i])) {
                return false;
            }
        }
        return true;
    }

    /** "/a/b/" → [a, b, ""]; "/" → []. The leading slash is dropped, an empty last segment kept. */
    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    private record Entry(RouteMatch match, String method, String[] pattern) {
    }
}
