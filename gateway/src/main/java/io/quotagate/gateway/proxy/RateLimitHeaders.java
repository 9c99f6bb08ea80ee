package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.quotagate.gateway.admission.RateLimitState;
import java.nio.charset.StandardCharsets;

/**
 * Writes a {@link RateLimitState} as the IETF httpapi ratelimit-headers draft fields
 * ({@code RateLimit-Policy: "qps";q=10;w=1}, {@code RateLimit: "qps";r=7;t=0}) plus {@code X-Calls-Remaining}
 * in count mode. Used on forwarded responses and on rejections alike.
 */
public final class RateLimitHeaders {

    public static final AsciiString RATELIMIT_POLICY = AsciiString.cached("RateLimit-Policy");
    public static final AsciiString RATELIMIT = AsciiString.cached("RateLimit");
    public static final AsciiString X_CALLS_REMAINING = AsciiString.cached("X-Calls-Remaining");

    private static final short CRLF = ('\r' << 8) | '\n';
    private static final byte[] POLICY_PREFIX = ascii(RATELIMIT_POLICY + ": \"qps\";q=");
    private static final byte[] POLICY_SUFFIX = ascii(";w=1\r\n");
    private static final byte[] RATELIMIT_PREFIX = ascii(RATELIMIT + ": \"qps\";r=");
    private static final byte[] RATELIMIT_MIDDLE = ascii(";t=");
    private static final byte[] CALLS_PREFIX = ascii(X_CALLS_REMAINING + ": ");

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

    /**
     * Writes the same fields as {@link #add} as CRLF-terminated lines, for a relayed response head, when
     * {@code state} is not null. Numbers go straight into the buffer: this runs once per forwarded response.
     */
    public static void write(ByteBuf out, RateLimitState state) {
        if (state == null) {
            return;
        }
        out.writeBytes(POLICY_PREFIX);
        writeDecimal(out, state.limit());
        out.writeBytes(POLICY_SUFFIX);
        out.writeBytes(RATELIMIT_PREFIX);
        writeDecimal(out, state.remaining());
        out.writeBytes(RATELIMIT_MIDDLE);
        writeDecimal(out, state.resetSeconds());
        out.writeShort(CRLF);
        if (state.callsRemaining() >= 0) {
            out.writeBytes(CALLS_PREFIX);
            writeDecimal(out, state.callsRemaining());
            out.writeShort(CRLF);
        }
    }

    private static void writeDecimal(ByteBuf out, long value) {
        if (value < 0) {
            out.writeByte('-');
            value = -value; // the states we write are small: Long.MIN_VALUE does not occur
        }
        long divisor = 1;
        while (divisor <= value / 10) {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10) {
            out.writeByte((int) ('0' + value / divisor % 10));
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
