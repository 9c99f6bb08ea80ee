package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.quotagate.gateway.admission.Decision;
import io.quotagate.gateway.admission.RejectionCode;
import java.nio.charset.StandardCharsets;

/**
 * The one place that turns a rejection into an HTTP response (SPEC §3): a JSON body
 * {@code {"error":{"code":"…","message":"…"}}}, the status of the {@link RejectionCode}, {@code Retry-After}
 * and rate-limit headers when the decision carries them, and {@code Connection: close} when the connection is
 * about to be closed (always for 400, 408, 413, 414 and 431: after a framing error or a cut-off body the byte
 * stream cannot be trusted; and for a refused connection's 503).
 */
public final class ErrorResponses {

    private ErrorResponses() {
    }

    /** A response for a rejection decided by admission or by the proxy itself. */
    public static FullHttpResponse of(ByteBufAllocator alloc, Decision.Rejected rejected, boolean close) {
        RejectionCode code = rejected.code();
        String message = rejected.message() != null ? rejected.message() : code.defaultMessage();
        FullHttpResponse response = build(alloc, code, message, close || closesConnection(code));
        HttpHeaders headers = response.headers();
        if (rejected.retryAfterSeconds() > 0) {
            headers.set(HttpHeaderNames.RETRY_AFTER, rejected.retryAfterSeconds());
        }
        RateLimitHeaders.add(headers, rejected.rateLimit());
        return response;
    }

    /** A response for a code with its default message and no rate-limit state. */
    public static FullHttpResponse of(ByteBufAllocator alloc, RejectionCode code, boolean close) {
        return build(alloc, code, code.defaultMessage(), close || closesConnection(code));
    }

    /** Whether the proxy must close the connection after answering with this code. */
    public static boolean closesConnection(RejectionCode code) {
        return switch (code) {
            case BAD_REQUEST, REQUEST_TIMEOUT, PAYLOAD_TOO_LARGE, URI_TOO_LONG, HEADERS_TOO_LARGE, TOO_MANY_CONNECTIONS -> true;
            default -> false;
        };
    }

    /**
     * The answer to a message whose {@code decoderResult()} failed: the code {@link #codeFor} maps, with the
     * reason of a {@link RejectedRequestException} (a fixed text of the check that refused it, never bytes of the
     * request) as the message, so the client learns what was wrong; other causes get the code's default message.
     */
    public static Decision.Rejected rejectionFor(Throwable cause) {
        RejectionCode code = codeFor(cause);
        if (cause instanceof RejectedRequestException rejected && rejected.getMessage() != null) {
            return new Decision.Rejected(code, rejected.getMessage(), null, 0, null, null);
        }
        return Decision.Rejected.of(code);
    }

    /** Maps the cause of a failed {@code decoderResult()} to the code the client sees. */
    public static RejectionCode codeFor(Throwable cause) {
        if (cause instanceof RejectedRequestException rejected) {
            return rejected.code();
        }
        if (cause instanceof TooLongHttpLineException) {
            return RejectionCode.URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return RejectionCode.HEADERS_TOO_LARGE;
        }
        return RejectionCode.BAD_REQUEST;
    }

    private static FullHttpResponse build(ByteBufAllocator alloc, RejectionCode code, String message, boolean close) {
        ByteBuf body = alloc.buffer(64 + message.length());
        body.writeCharSequence("{\"error\":{\"code\":\"", StandardCharsets.US_ASCII);
        body.writeCharSequence(code.wire(), StandardCharsets.US_ASCII);
        body.writeCharSequence("\",\"message\":\"", StandardCharsets.US_ASCII);
        body.writeCharSequence(jsonEscape(message), StandardCharsets.UTF_8);
        body.writeCharSequence("\"}}", StandardCharsets.US_ASCII);
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code.status()), body);
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (close) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    static String jsonEscape(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20) {
                if (out == null) {
                    out = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\t' -> out.append("\\t");
                    case '\r' -> out.append("\\r");
                    default -> out.append(String.format("\\u%04x", (int) c));
                }
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }
}
