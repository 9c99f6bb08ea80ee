package io.quotagate.gateway.proxy;

import io.netty.util.AsciiString;

/**
 * The header fields the proxy itself writes on the way through: {@code X-Tenant-Id} and the
 * {@code X-Forwarded-*} fields towards the upstream ({@link RequestHeadWriter}), and its {@code Via} entry in both
 * directions ({@link RequestHeadWriter}, {@link ClientResponseWriter}).
 */
final class ForwardingHeaders {

    static final AsciiString X_TENANT_ID = AsciiString.cached("X-Tenant-Id");
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
    static final AsciiString VIA_VALUE = AsciiString.cached("1.1 quotagate");

    private ForwardingHeaders() {
    }
}
