package io.quotagate.gateway.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the {@code routes} of one group and checks each {@code match} pattern, so that the route
 * table only ever sees patterns it can match as documented.
 */
final class RouteReader {

    private static final Pattern METHOD = Pattern.compile("[A-Z][A-Z0-9_-]*");
    private static final Pattern VARIABLE = Pattern.compile("\\{[A-Za-z_][A-Za-z0-9_]*}");
    // RFC 3986 pchar without '*', which the pattern language reserves.
    private static final Pattern LITERAL = Pattern.compile("(?:[A-Za-z0-9._~!$&'()+,;=:@-]|%[0-9A-Fa-f]{2})+");
    private static final int MAX_COST = 1_000_000;

    private RouteReader() {
    }

    /** @param matches METHOD PATH → key path of its first route, across all groups, to refuse repeats */
    static List<RouteConfig> routes(ConfigNode node, Map<String, String> matches) throws ConfigException {
        List<ConfigNode> items = node.list();
        if (items.isEmpty()) {
            throw node.error("no routes (expected: at least one route)");
        }
        List<RouteConfig> routes = new ArrayList<>();
        for (ConfigNode item : items) {
            routes.add(route(item, matches));
        }
        return routes;
    }

    private static RouteConfig route(ConfigNode item, Map<String, String> matches) throws ConfigException {
        ConfigMap m = item.map("match", "cost", "qps", "templates");
        ConfigNode matchNode = m.require("match", "METHOD PATH, e.g. POST /v1/portrait/generate");
        String match = matchNode.string();
        String[] parts = match.strip().split("[ \t]+");
        if (parts.length != 2 || !METHOD.matcher(parts[0]).matches()) {
            throw matchNode.invalid(match, "METHOD PATH with an upper-case method, e.g. POST /v1/portrait/generate");
        }
        String problem = pathProblem(parts[1]);
        if (problem != null) {
            throw matchNode.invalid(match, problem);
        }
        String first = matches.putIfAbsent(parts[0] + " " + parts[1], matchNode.path());
        if (first != null) {
            throw matchNode.error(ConfigNode.show(match) + " repeats " + first + " (a repeated route never matches)");
        }
        int cost = m.integer("cost", 1, 0, MAX_COST);
        boolean qps = m.bool("qps", true);
        String templates = m.choice("templates", null, "create", "delete");
        RouteConfig.TemplateAction action = templates == null ? RouteConfig.TemplateAction.NONE
                : templates.equals("create") ? RouteConfig.TemplateAction.CREATE : RouteConfig.TemplateAction.DELETE;
        return new RouteConfig(parts[0], parts[1], cost, qps, action);
    }

    /** Why a path pattern is unusable, phrased as what was expected; null when it is fine. */
    static String pathProblem(String path) {
        if (!path.startsWith("/")) {
            return "a path starting with /";
        }
        if (path.equals("/")) {
            return null;
        }
        String[] segments = path.substring(1).split("/", -1);
        Set<String> variables = new HashSet<>();
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.isEmpty()) {
                // A trailing slash is a literal empty segment; an empty one inside ("//") is a typo.
                if (!last) {
                    return "no empty segment (//) in the path";
                }
            } else if (segment.equals("**")) {
                if (!last) {
                    return "** only as the last segment";
                }
            } else if (segment.startsWith("{")) {
                if (!VARIABLE.matcher(segment).matches()) {
                    return "a variable segment like {id} (letters, digits, _)";
                }
                if (!variables.add(segment)) {
                    return "each variable once, " + segment + " repeats";
                }
            } else if (segment.equals(".") || segment.equals("..")) {
                return "no . or .. segment (such paths are refused before matching)";
            } else if (!LITERAL.matcher(segment).matches()) {
                return "literal segments of URL path characters, {name} segments and a trailing **";
            }
        }
        return null;
    }
}
