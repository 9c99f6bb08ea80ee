package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.quotagate.gateway.admission.RateLimitState;

/**
 * Writes a {@link RateLimitState} as the IETF httpapi ratelimit-headers draft fields
 * ({@code RateLimit-Policy: "qps";q=10;w=1}, {@code RateLimit: "qps";r=7;t=0}) plus {@code X-Calls-Remaining}
 * in count mode. Used on forwarded responses and on rejections alike.
 */
public final class RateLimitHeaders {

    public static final AsciiString RATELIMIT_POLICY = AsciiString.cached("RateLimit-Policy");
    public static final AsciiString RATELIMIT = AsciiString.cached("RateLimit");
    public static final AsciiString X_CALLS_REMAINING = AsciiString.cached("X-Calls-Remaining");

    private RateLimitHeaders() {
    }

    /** Sets the headers (replacing upstream values) when {@code state} is not null. */
    public static void add(HttpHeaders headers, RateLimitState state) {
        if (state == null) {
            return;
        }
        headers.set(RATELIMIT_POLICY, "\"qps\";q=" + state.limit() + ";w=1");
        headers.set(RATELIMIT, "\"qps\";r=" + state.remaining() + ";t=" + state.resetSeconds());
        if (state.callsRemaining() >= 0) {
            headers.set(X_CALLS_REMAINING, state.callsRemaining());
        } else {
            headers.remove(X_CALLS_REMAINING);
        }
    }

    /** Writes the header lines (CRLF-terminated) for a relayed response head when {@code state} is not null. */
    public static void write(ByteBuf out, RateLimitState state) {
        if (state == null) {
            return;
        }
        writeLine(out, RATELIMIT_POLICY, "\"qps\";q=" + state.limit() + ";w=1");
        writeLine(out, RATELIMIT, "\"qps\";r=" + state.remaining() + ";t=" + state.resetSeconds());
        if (state.callsRemaining() >= 0) {
            writeLine(out, X_CALLS_REMAINING, Long.toString(state.callsRemaining()));
        }
    }

    private static void writeLine(ByteBuf out, AsciiString name, String value) {
        ByteBufUtil.copy(name, out);
        out.writeByte(':').writeByte(' ');
        ByteBufUtil.writeAscii(out, value);
        out.writeByte('\r').writeByte('\n');
    }
}
