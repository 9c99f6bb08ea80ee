package io.quotagate.gateway.proxy;

import io.netty.handler.codec.http.HttpRequest;
import io.quotagate.gateway.accesslog.AccessRecord;
import io.quotagate.gateway.admission.Decision;
import io.quotagate.gateway.route.RouteMatch;

/**
 * What the {@link FrontendHandler} remembers of its current request for the access log, from the head until the
 * response was written: start time, method, path, the upstream's latency and the connection's byte counts at the
 * start. Inactive (and never allocating) when the access log is off. One per connection, on its event loop.
 */
final class AccessLine {

    private ByteCounter bytes;
    private boolean active;
    private long epochMillis;
    private String method;
    private String uri;
    private long upstreamNanos;
    private long inMark;
    private long outMark;

    /** @param bytes the connection's counter, or null when the access log is off */
    void attach(ByteCounter bytes) {
        this.bytes = bytes;
    }

    void start(boolean enabled, HttpRequest request) {
        active = enabled;
        upstreamNanos = -1;
        if (enabled) {
            epochMillis = System.currentTimeMillis();
            method = request.method().name();
            uri = request.uri();
        }
    }

    boolean active() {
        return active;
    }

    void upstreamAnswered(long nanos) {
        upstreamNanos = nanos;
    }

    /**
     * The finished request's record. Its bytes are those the connection read and wrote since the previous request
     * ended (a pipelined next request read early counts for this one).
     */
    AccessRecord record(String requestId, String tenant, String group, Decision.Admitted admitted, int status,
                        String outcome, int refunded, long totalNanos, String client) {
        active = false;
        long in = bytes == null ? 0 : bytes.in() - inMark;
        long out = bytes == null ? 0 : bytes.out() - outMark;
        if (bytes != null) {
            inMark = bytes.in();
            outMark = bytes.out();
        }
        RouteMatch route = admitted == null ? null : admitted.route();
        return new AccessRecord(epochMillis, requestId, tenant, group,
                route == null ? null : route.route().method() + " " + route.route().path(), method, path(uri), status,
                outcome, admitted == null ? 0 : admitted.charged(), refunded, totalNanos, upstreamNanos, in, out, client);
    }

    private static String path(String uri) {
        if (uri == null) {
            return null;
        }
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }
}
