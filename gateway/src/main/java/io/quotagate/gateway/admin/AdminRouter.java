package io.quotagate.gateway.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;

/**
 * The admin API's table of endpoints: {@code METHOD /literal/{param}/…} patterns, matched segment by segment in
 * the order they were added, each a read or a named {@link AdminOperation}. Knows paths, not rules.
 */
final class AdminRouter {

    /** One endpoint: translates a request, asks a service, translates the answer. */
    @FunctionalInterface
    interface Endpoint {
        CompletionStage<AdminResponse> handle(AdminRequest request);
    }

    /** The result of matching a method and path. */
    sealed interface Match {
    }

    /** @param operation what the call changes, for the audit log; null for a read */
    record Found(Endpoint endpoint, Map<String, String> params, AdminOperation operation) implements Match {
    }

    record NotFound() implements Match {
    }

    /** The path exists, with other methods. */
    record MethodNotAllowed(Set<String> allowed) implements Match {
    }

    private record Route(String method, String[] segments, Endpoint endpoint, AdminOperation operation) {
    }

    private final List<Route> routes = new ArrayList<>();

    /** A read: nothing is written to the audit log. */
    AdminRouter add(String method, String pattern, Endpoint endpoint) {
        routes.add(new Route(method, split(pattern), endpoint, null));
        return this;
    }

    /** A call that changes something: written to the audit log as {@code operation}, refused attempts included. */
    AdminRouter add(String method, String pattern, AdminOperation operation, Endpoint endpoint) {
        routes.add(new Route(method, split(pattern), endpoint, operation));
        return this;
    }

    Match match(String method, String path) {
        String[] segments = split(path);
        Set<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            Map<String, String> params = bind(route.segments(), segments);
            if (params == null) {
                continue;
            }
            if (route.method().equals(method)) {
                return new Found(route.endpoint(), params, route.operation());
            }
            allowed.add(route.method());
        }
        return allowed.isEmpty() ? new NotFound() : new MethodNotAllowed(allowed);
    }

    private static Map<String, String> bind(String[] pattern, String[] path) {
        if (pattern.length != path.length) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                if (path[i].isEmpty()) {
                    return null;
                }
                params.put(p.substring(1, p.length() - 1), path[i]);
            } else if (!p.equals(path[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.split("/", -1);
    }
}
