package io.quotagate.gateway.accesslog;

/**
 * One request as the access log writes it. Never holds an API key or a header: only the tenant the key belongs to.
 *
 * @param epochMillis   when the request's head arrived
 * @param tenant        null when no tenant is known (no key, unknown key, no route)
 * @param group         null when no route matched
 * @param route         the matched route's {@code METHOD PATH} pattern, or null
 * @param path          the request path without its query
 * @param outcome       {@code forwarded} or the rejection code
 * @param totalNanos    head received to response written
 * @param upstreamNanos forwarded to the upstream's response head, or -1 when not forwarded or no head came
 * @param bytesIn       bytes read from the client during the request, head included
 * @param bytesOut      bytes written to the client during the request, head included
 */
public record AccessRecord(long epochMillis, String requestId, String tenant, String group, String route,
                           String method, String path, int status, String outcome, long charged, long refunded,
                           long totalNanos, long upstreamNanos, long bytesIn, long bytesOut, String client) {
}
