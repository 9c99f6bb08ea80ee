package io.quotagate.gateway.admission;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every rejection a client can see (SPEC §3), with its HTTP status. The proxy turns a code into a response
 * in one place; metrics use {@link #wire()} as the outcome tag.
 */
public enum RejectionCode {
    MISSING_API_KEY(401, "missing_api_key", "An API key is required: send Authorization: Bearer <key> or X-Api-Key."),
    INVALID_API_KEY(401, "invalid_api_key", "The API key is not valid."),
    TENANT_SUSPENDED(403, "tenant_suspended", "The tenant is suspended."),
    ROUTE_NOT_FOUND(404, "route_not_found", "No route matches this method and path."),
    PAYLOAD_TOO_LARGE(413, "payload_too_large", "The request body is larger than allowed."),
    QPS_EXCEEDED(429, "qps_exceeded", "Too many requests per second for this plan."),
    QPS_NOT_PURCHASED(402, "qps_not_purchased", "No QPS is purchased for this interface group."),
    CALLS_EXHAUSTED(402, "calls_exhausted", "No calls left: every pack is used up or expired."),
    TEMPLATE_QUOTA_EXHAUSTED(402, "template_quota_exhausted", "No template slot left."),
    QUOTA_STORE_UNAVAILABLE(503, "quota_store_unavailable", "The quota store is unavailable; try again shortly."),
    UPSTREAM_UNAVAILABLE(502, "upstream_unavailable", "The upstream service could not be reached."),
    UPSTREAM_TIMEOUT(504, "upstream_timeout", "The upstream service did not answer in time."),
    TOO_MANY_CONNECTIONS(503, "too_many_connections",
            "Too many open connections from this address or to this gateway; try again shortly."),
    REQUEST_TIMEOUT(408, "request_timeout", "The request body arrived too slowly."),
    BAD_REQUEST(400, "bad_request", "Malformed or ambiguous HTTP request."),
    URI_TOO_LONG(414, "bad_request", "The request line is too long."),
    HEADERS_TOO_LARGE(431, "bad_request", "The request headers are too large.");

    private final int status;
    private final String wire;
    private final String defaultMessage;

    RejectionCode(int status, String wire, String defaultMessage) {
        this.status = status;
        this.wire = wire;
        this.defaultMessage = defaultMessage;
    }

    public int status() {
        return status;
    }

    /** The {@code error.code} of the JSON body, and the metrics outcome tag. */
    public String wire() {
        return wire;
    }

    public String defaultMessage() {
        return defaultMessage;
    }

    /** Every distinct wire code: the outcomes of {@code quotagate_requests_total} besides {@code forwarded}. */
    public static List<String> wires() {
        return Arrays.stream(values()).map(RejectionCode::wire).distinct().toList();
    }

    /** The wire codes a request can get before a route (and so its group) is known. */
    public static List<String> ungroupedWires() {
        return Stream.of(ROUTE_NOT_FOUND, BAD_REQUEST, PAYLOAD_TOO_LARGE, QUOTA_STORE_UNAVAILABLE)
                .map(RejectionCode::wire).toList();
    }
}
