package io.quotagate.gateway.proxy;

import io.netty.util.AsciiString;
import java.util.List;

/**
 * Header names the proxy treats itself on the way through, in one place for both directions: the RFC 9110 §7.6.1
 * hop-by-hop fields it never forwards ({@link FieldRules} for requests, {@link ResponseFields} for responses), and
 * the fields it writes: {@code X-Tenant-Id} and {@code X-Forwarded-*} towards the upstream
 * ({@link RequestHeadWriter}), its {@code Via} entry both ways ({@link RequestHeadWriter},
 * {@link ClientResponseWriter}).
 */
final class ForwardingHeaders {

    /** Hop-by-hop fields, lower case, {@code connection} first (its tokens name more fields to drop). */
    static final List<String> HOP_BY_HOP = List.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "upgrade", "transfer-encoding", "proxy-authorization", "proxy-authenticate", "http2-settings");

    static final AsciiString X_TENANT_ID = AsciiString.cached("X-Tenant-Id");
    static final AsciiString X_REQUEST_ID = AsciiString.cached("X-Request-Id");
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
    static final AsciiString VIA_VALUE = AsciiString.cached("1.1 quotagate");

    private ForwardingHeaders() {
    }
}
