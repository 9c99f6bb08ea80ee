package io.quotagate.gateway.config;

/**
 * One {@code METHOD PATH} of a group.
 *
 * @param method     upper-case HTTP method
 * @param path       pattern: literal segments, {@code {name}} for one segment, a trailing {@code **} for the rest
 * @param cost       calls charged per admitted request in count mode (0 for free routes)
 * @param qps        whether the route counts against the group's QPS limit
 * @param templates  what the route does to the template quota
 */
public record RouteConfig(String method, String path, int cost, boolean qps, TemplateAction templates) {

    /** What a route does to the template quota. */
    public enum TemplateAction { NONE, CREATE, DELETE }

    /** The route as written in YAML, e.g. {@code POST /v1/templates}. */
    public String match() {
        return method + " " + path;
    }
}
