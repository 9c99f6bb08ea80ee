package io.quotagate.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.quotagate.gateway.config.UpstreamConfig;
import java.util.List;
import java.util.Map;

/**
 * Rewrites heads in place as they cross the proxy. Towards the upstream: hop-by-hop fields removed
 * (RFC 9110 §7.6.1, including every field named in {@code Connection}), the API key removed, {@code X-Tenant-Id}
 * set by the gateway only, {@code X-Forwarded-For/-Proto/-Host} and {@code Via} added, {@code Host} and the
 * configured upstream headers set. Framing fields are re-derived, never copied: a client cannot make the proxy
 * drop Content-Length by naming it in {@code Connection}. Responses are not rewritten as header maps: they are
 * relayed as bytes, their heads written by {@link ClientResponseWriter} with the same rules.
 */
final class HeaderRewriter {

    static final AsciiString X_TENANT_ID = AsciiString.cached("X-Tenant-Id");
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
    static final AsciiString VIA_VALUE = AsciiString.cached("1.1 quotagate");
    private static final AsciiString HTTP2_SETTINGS = AsciiString.cached("HTTP2-Settings");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString HTTPS = AsciiString.cached("https");
    private static final AsciiString[] HOP_BY_HOP = {
        HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION,
        HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE, HttpHeaderNames.TRANSFER_ENCODING,
        HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.PROXY_AUTHENTICATE, HTTP2_SETTINGS,
    };
    /** Fields named in HOP_BY_HOP have bits 0..9; these come after them. */
    private static final int EXPECT = 1 << 10;
    private static final int API_KEY = 1 << 11;
    private static final int TENANT = 1 << 12;
    private static final int FORWARDED_FOR = 1 << 13;
    private static final int VIA = 1 << 14;
    private static final int CONNECTION = 1;
    private static final int TRANSFER_ENCODING = 1 << 6;
    private static final int ALL_HOP_BY_HOP = (1 << HOP_BY_HOP.length) - 1;
    private static final HeaderScan SCAN = new HeaderScan(HOP_BY_HOP,
            new AsciiString[] {HttpHeaderNames.EXPECT, KeyHeaders.X_API_KEY, X_TENANT_ID, X_FORWARDED_FOR, HttpHeaderNames.VIA});

    private final AsciiString upstreamHost;
    private final AsciiString[] extraNames;
    private final String[] extraValues;

    HeaderRewriter(UpstreamConfig upstream) {
        this.upstreamHost = new AsciiString(upstream.hostHeader());
        Map<String, String> extra = upstream.headers();
        this.extraNames = new AsciiString[extra.size()];
        this.extraValues = new String[extra.size()];
        int i = 0;
        for (Map.Entry<String, String> e : extra.entrySet()) {
            extraNames[i] = new AsciiString(e.getKey());
            extraValues[i++] = e.getValue();
        }
    }

    /**
     * Turns the client's request head into the upstream's.
     *
     * @param keyInAuthorization whether the API key was read from {@code Authorization} (then it is removed)
     */
    void request(HttpRequest request, String tenantId, boolean keyInAuthorization, String peer, boolean tls) {
        HttpHeaders h = request.headers();
        int present = SCAN.scan(h); // most requests carry none of the fields we remove: skip those lookups
        String clientHost = h.get(HttpHeaderNames.HOST);
        boolean chunked = (present & TRANSFER_ENCODING) != 0 && HttpUtil.isTransferEncodingChunked(request);
        removeHopByHop(h, present);
        if ((present & EXPECT) != 0) {
            h.remove(HttpHeaderNames.EXPECT); // the proxy answers 100-continue itself, after admission
        }
        if (chunked) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        if ((present & API_KEY) != 0) {
            h.remove(KeyHeaders.X_API_KEY);
        }
        if (keyInAuthorization) {
            h.remove(HttpHeaderNames.AUTHORIZATION);
        }
        if ((present & TENANT) != 0) {
            h.remove(X_TENANT_ID);
        }
        if (tenantId != null) {
            h.add(X_TENANT_ID, tenantId);
        }
        appendTo(h, X_FORWARDED_FOR, (present & FORWARDED_FOR) != 0, peer);
        h.set(X_FORWARDED_PROTO, tls ? HTTPS : HTTP);
        if (clientHost != null) {
            h.set(X_FORWARDED_HOST, clientHost);
        } else {
            h.remove(X_FORWARDED_HOST);
        }
        appendTo(h, HttpHeaderNames.VIA, (present & VIA) != 0, VIA_VALUE);
        h.set(HttpHeaderNames.HOST, upstreamHost);
        for (int i = 0; i < extraNames.length; i++) {
            h.set(extraNames[i], extraValues[i]);
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
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
