package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.quotagate.gateway.admission.RateLimitState;
import java.nio.charset.StandardCharsets;

/**
 * Writes a relayed response's head for the client as bytes, from an {@link UpstreamResponseHead}: the status
 * line (always {@code HTTP/1.1}, the upstream's reason phrase kept), the upstream's field lines minus the
 * hop-by-hop ones (RFC 9110 §7.6.1 and those named in {@code Connection}), {@code Via} with the proxy appended,
 * the rate-limit fields ({@link RateLimitHeaders}), {@code X-Request-Id} (the gateway's, replacing the upstream's), and framing fixed for the client's HTTP version — the same
 * decisions {@link RequestHeadWriter} makes for requests. Framing fields are re-derived, never copied from a
 * {@code Connection} list. Also frames the body of a close-delimited upstream response as chunks for an HTTP/1.1
 * client. Used by {@link Exchange}; stateless.
 */
final class ClientResponseWriter {

    private static final byte[] HTTP_1_1 = ascii("HTTP/1.1 ");
    private static final byte[] COLON = ascii(": ");
    private static final byte[] VIA = ascii("Via: ");
    private static final byte[] X_REQUEST_ID = ascii(ForwardingHeaders.X_REQUEST_ID + ": ");
    private static final byte[] COMMA = ascii(", ");
    private static final byte[] VIA_VALUE = ascii(ForwardingHeaders.VIA_VALUE + "\r\n");
    private static final byte[] CHUNKED = ascii("Transfer-Encoding: chunked\r\n");
    private static final byte[] CLOSE = ascii("Connection: close\r\n");
    private static final byte[] KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    private static final short CRLF = ('\r' << 8) | '\n';
    private static final ByteBuf CRLF_BUF = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2).writeShort(CRLF)).asReadOnly();
    private static final ByteBuf LAST_CHUNK = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(5).writeBytes(ascii("0\r\n\r\n"))).asReadOnly();

    private ClientResponseWriter() {
    }

    /**
     * Writes the client's response head into {@code out}, followed by the body carried inside the head, if any.
     *
     * @param bodyless whether no body can follow (a HEAD request, or a 204/304 status)
     * @param close    whether the proxy will close the client connection after this response
     * @param requestId the request's {@code X-Request-Id}
     * @return whether the client connection must be closed after this response (it may have to, to delimit a
     *         body of unknown length for an HTTP/1.0 client)
     */
    static boolean writeHead(ByteBuf out, UpstreamResponseHead head, RateLimitState rateLimit, boolean clientHttp10,
                             boolean bodyless, boolean close, String requestId) {
        ByteBuf src = head.content();
        int base = src.readerIndex();
        out.writeBytes(HTTP_1_1);
        out.writeBytes(src, base + 9, head.statusLineEnd() - 9);
        if (head.statusLineEnd() == 12) {
            out.writeByte(' '); // no reason phrase: the status line still needs its SP
        }
        out.writeShort(CRLF);
        boolean via = false;
        for (int i = 0; i < head.fieldCount(); i++) {
            int kind = head.kind(i);
            if (kind == ResponseFields.VIA) {
                via = true;
            } else if (kept(kind, head, rateLimit)) {
                copyField(out, src, base, head, i);
            }
        }
        writeVia(out, src, base, head, via);
        RateLimitHeaders.write(out, rateLimit);
        out.writeBytes(X_REQUEST_ID);
        out.writeCharSequence(requestId, StandardCharsets.US_ASCII);
        out.writeShort(CRLF);
        if (!bodyless && !head.lengthKnown()) {
            if (clientHttp10) {
                close = true; // HTTP/1.0 has no chunked coding: the body ends when the connection does
            } else {
                out.writeBytes(CHUNKED);
            }
        }
        if (close) {
            out.writeBytes(CLOSE);
        } else if (clientHttp10) {
            out.writeBytes(KEEP_ALIVE);
        }
        out.writeShort(CRLF);
        out.writeBytes(src, base + head.headLength(), head.inlineBodyLength());
        return close;
    }

    private static boolean kept(int kind, UpstreamResponseHead head, RateLimitState rateLimit) {
        return switch (kind) {
            case ResponseFields.OTHER, ResponseFields.HOST -> true;
            case ResponseFields.CONTENT_LENGTH -> head.lengthKnown(); // Transfer-Encoding overrides it
            case ResponseFields.RATELIMIT_POLICY, ResponseFields.RATELIMIT, ResponseFields.X_CALLS_REMAINING ->
                    rateLimit == null; // ours replace the upstream's
            default -> false; // hop-by-hop, named in Connection
        };
    }

    private static void copyField(ByteBuf out, ByteBuf src, int base, UpstreamResponseHead head, int i) {
        int ns = base + head.nameStart(i);
        int vs = base + head.valueStart(i);
        int ve = base + head.valueEnd(i);
        int nameEnd = base + head.nameEnd(i);
        out.writeBytes(src, ns, nameEnd - ns);
        out.writeBytes(COLON);
        out.writeBytes(src, vs, ve - vs);
        out.writeShort(CRLF);
    }

    /** One {@code Via} line: the upstream's values (all its Via lines, in order), then ours. */
    private static void writeVia(ByteBuf out, ByteBuf src, int base, UpstreamResponseHead head, boolean upstreamVia) {
        out.writeBytes(VIA);
        if (upstreamVia) {
            for (int i = 0; i < head.fieldCount(); i++) {
                if (head.kind(i) == ResponseFields.VIA && head.valueEnd(i) > head.valueStart(i)) {
                    out.writeBytes(src, base + head.valueStart(i), head.valueEnd(i) - head.valueStart(i));
                    out.writeBytes(COMMA);
                }
            }
        }
        out.writeBytes(VIA_VALUE);
    }

    /** Writes {@code data} as one chunk (an empty slice is dropped: it would end the body). */
    static void writeChunk(ChannelHandlerContext client, ByteBuf data) {
        int n = data.readableBytes();
        if (n == 0) {
            data.release();
            return;
        }
        ByteBuf size = client.alloc().buffer(10);
        ByteBufUtil.writeAscii(size, Integer.toHexString(n));
        size.writeShort(CRLF);
        client.write(size);
        client.write(data);
        client.write(CRLF_BUF.duplicate());
    }

    /** Writes the last chunk (no trailers) that ends a re-chunked body. */
    static void writeLastChunk(ChannelHandlerContext client) {
        client.write(LAST_CHUNK.duplicate());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
