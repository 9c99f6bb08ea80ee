package io.quotagate.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.quotagate.gateway.admission.RateLimitState;
import java.util.List;

/**
 * Rewrites response heads in place as they cross the proxy towards the client: hop-by-hop fields removed
 * (RFC 9110 §7.6.1, including every field named in {@code Connection}), {@code Via} and the rate-limit headers
 * added, framing fixed for the client's HTTP version. Framing fields are re-derived, never copied. (Request heads
 * are written as bytes by {@link RequestHeadWriter}, which shares the header names below.)
 */
final class HeaderRewriter {

    static final AsciiString X_TENANT_ID = AsciiString.cached("X-Tenant-Id");
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
    static final AsciiString VIA_VALUE = AsciiString.cached("1.1 quotagate");
    private static final AsciiString HTTP2_SETTINGS = AsciiString.cached("HTTP2-Settings");
    private static final AsciiString[] HOP_BY_HOP = {
        HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION,
        HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE, HttpHeaderNames.TRANSFER_ENCODING,
        HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.PROXY_AUTHENTICATE, HTTP2_SETTINGS,
    };
    /** Fields named in HOP_BY_HOP have bits 0..9; Via comes after them. */
    private static final int VIA = 1 << 10;
    private static final int CONNECTION = 1;
    private static final int TRANSFER_ENCODING = 1 << 6;
    private static final int ALL_HOP_BY_HOP = (1 << HOP_BY_HOP.length) - 1;
    private static final HeaderScan SCAN = new HeaderScan(HOP_BY_HOP, new AsciiString[] {HttpHeaderNames.VIA});

    /**
     * Turns the upstream's response head into the client's.
     *
     * @param bodyless whether no body can follow (a HEAD request, or a 1xx/204/304 status)
     * @param close    whether the proxy will close the client connection after this response
     * @return whether the client connection must be closed after this response (it may have to, to delimit a
     *         body of unknown length for an HTTP/1.0 client)
     */
    boolean response(HttpResponse response, RateLimitState rateLimit, boolean clientHttp10, boolean bodyless, boolean close) {
        HttpHeaders h = response.headers();
        int present = SCAN.scan(h);
        boolean lengthKnown = h.contains(HttpHeaderNames.CONTENT_LENGTH)
                && ((present & TRANSFER_ENCODING) == 0 || !HttpUtil.isTransferEncodingChunked(response));
        removeHopByHop(h, present);
        appendTo(h, HttpHeaderNames.VIA, (present & VIA) != 0, VIA_VALUE);
        RateLimitHeaders.add(h, rateLimit);
        if (!bodyless && !lengthKnown) {
            if (clientHttp10) {
                close = true; // HTTP/1.0 has no chunked coding: the body ends when the connection does
            } else {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        }
        if (close) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientHttp10) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        return close;
    }

    /** Removes RFC 9110 §7.6.1 fields and the ones named in Connection, except framing and Host. */
    static void removeHopByHop(HttpHeaders h) {
        removeHopByHop(h, ALL_HOP_BY_HOP);
    }

    /** @param present bits of {@link #HOP_BY_HOP} fields the head may contain (from {@link HeaderScan#scan}) */
    private static void removeHopByHop(HttpHeaders h, int present) {
        if ((present & ALL_HOP_BY_HOP) == 0) {
            return;
        }
        if ((present & CONNECTION) != 0) {
            List<String> connection = h.getAll(HttpHeaderNames.CONNECTION);
            for (int i = 0; i < connection.size(); i++) {
                for (String token : connection.get(i).split(",")) {
                    String name = token.trim();
                    if (!name.isEmpty() && !isProtected(name)) {
                        h.remove(name);
                    }
                }
            }
        }
        for (int i = 0; i < HOP_BY_HOP.length; i++) {
            if ((present & (1 << i)) != 0) {
                h.remove(HOP_BY_HOP[i]);
            }
        }
    }

    private static boolean isProtected(String name) {
        return HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.HOST.contentEqualsIgnoreCase(name);
    }

    /** Appends {@code value} to a list-valued field (one field line, comma-separated), or adds the field. */
    private static void appendTo(HttpHeaders h, AsciiString name, boolean present, CharSequence value) {
        List<String> existing = present ? h.getAll(name) : List.of();
        if (existing.isEmpty()) {
            h.add(name, value); // known absent: add skips set()'s removal walk
            return;
        }
        StringBuilder sb = new StringBuilder(64);
        for (String v : existing) {
            sb.append(v).append(", ");
        }
        h.set(name, sb.append(value).toString());
    }
}
