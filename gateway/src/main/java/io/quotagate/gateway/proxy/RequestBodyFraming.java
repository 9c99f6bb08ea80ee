package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Writes a request body to the upstream as bytes, after the head from {@link RequestHeadWriter} (the upstream
 * pipeline has no request encoder). A Content-Length body goes as it came: the decoded buffers themselves.
 * A chunked body is framed again, chunk by chunk ({@code hex-size CRLF data CRLF}), and ends with
 * {@code 0 CRLF}, the request's trailer fields, {@code CRLF}; a body without chunked coding cannot carry
 * trailers, so they are dropped. Empty pieces are not written (an empty chunk would end the body).
 */
final class RequestBodyFraming {

    private static final ByteBuf CRLF_BUF = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2).writeByte('\r').writeByte('\n')).asReadOnly();
    private static final short CRLF = ('\r' << 8) | '\n';
    private static final short COLON_SP = (':' << 8) | ' ';
    private static final byte[] HEX = AsciiString.cached("0123456789abcdef").toByteArray();

    private RequestBodyFraming() {
    }

    /**
     * Writes one piece of the body (without flushing); takes ownership of {@code content}.
     *
     * @param forwardTrailer which trailer fields may pass: the same as for the head, so that a client cannot slip
     *                       a gateway-owned field ({@code X-Tenant-Id}, the key, {@code Host}…) in after the body
     */
    static void write(Channel upstream, HttpContent content, boolean chunked, Predicate<CharSequence> forwardTrailer) {
        ByteBuf data = content.content();
        boolean last = content instanceof LastHttpContent;
        if (!chunked) {
            if (data.isReadable()) {
                upstream.write(data);
            } else {
                data.release();
            }
            return; // trailers of a non-chunked body cannot be sent (and the decoder produces none)
        }
        int size = data.readableBytes();
        if (size > 0) {
            ByteBuf prefix = upstream.alloc().ioBuffer(10);
            writeHex(prefix, size);
            prefix.writeShort(CRLF);
            upstream.write(prefix);
            upstream.write(data);
            if (!last) {
                upstream.write(CRLF_BUF.duplicate());
            }
        } else {
            data.release();
        }
        if (last) {
            upstream.write(lastChunk(upstream.alloc().ioBuffer(size > 0 ? 32 : 16), size > 0,
                    ((LastHttpContent) content).trailingHeaders(), forwardTrailer));
        }
    }

    /** {@code [CRLF ending the previous chunk] 0 CRLF trailers CRLF}, written into {@code buf}. */
    static ByteBuf lastChunk(ByteBuf buf, boolean endPreviousChunk, HttpHeaders trailers,
                             Predicate<CharSequence> forwardTrailer) {
        if (endPreviousChunk) {
            buf.writeShort(CRLF);
        }
        buf.writeByte('0').writeShort(CRLF);
        Iterator<Map.Entry<CharSequence, CharSequence>> it = trailers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> field = it.next();
            if (!forwardTrailer.test(field.getKey())) {
                continue;
            }
            ByteBufUtil.writeAscii(buf, field.getKey());
            buf.writeShort(COLON_SP);
            ByteBufUtil.writeAscii(buf, field.getValue());
            buf.writeShort(CRLF);
        }
        return buf.writeShort(CRLF);
    }

    /** Lower-case hex without leading zeros (RFC 9112 §7.1 chunk-size). */
    static void writeHex(ByteBuf buf, int value) {
        int digits = Math.max(1, (Integer.SIZE - Integer.numberOfLeadingZeros(value) + 3) / 4);
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            buf.writeByte(HEX[(value >>> shift) & 0xf]);
        }
    }
}
