package io.quotagate.gateway.store.redis;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes RESP2 replies into the values Redisson's {@code StringCodec} gives a script's {@code LIST} reply: a bulk or
 * simple string as {@link String}, an integer as {@link Long}, an array as {@code List<Object>}, a nil as
 * {@code null} ({@link #NIL} at the top level, which a decoder may not emit), an error reply as {@link Error}.
 * A reply split over several reads is decoded again from its start once more bytes arrived (replies are small).
 * In the benchmark's per-loop connection ({@link RespPipeline}) only.
 */
final class RespReplyDecoder extends ByteToMessageDecoder {

    /** An error reply ({@code -ERR …}, {@code -NOSCRIPT …}). */
    record Error(String message) {
    }

    /** A top-level nil reply. */
    static final Object NIL = new Object();

    private static final Object INCOMPLETE = new Object();

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int start = in.readerIndex();
            Object reply = read(in);
            if (reply == INCOMPLETE) {
                in.readerIndex(start);
                return;
            }
            out.add(reply == null ? NIL : reply);
        }
    }

    /** One value from the reader index on, or {@link #INCOMPLETE} (the reader index is then undefined). */
    private static Object read(ByteBuf in) {
        int from = in.readerIndex();
        int cr = in.indexOf(from + 1, in.writerIndex(), (byte) '\r');
        if (cr < 0 || cr + 1 >= in.writerIndex()) {
            return INCOMPLETE;
        }
        byte type = in.getByte(from);
        in.readerIndex(cr + 2);
        switch (type) {
            case '+':
                return in.toString(from + 1, cr - from - 1, StandardCharsets.UTF_8);
            case '-':
                return new Error(in.toString(from + 1, cr - from - 1, StandardCharsets.UTF_8));
            case ':':
                return number(in, from + 1, cr);
            case '$': {
                long n = number(in, from + 1, cr);
                if (n < 0) {
                    return null;
                }
                if (in.readableBytes() < n + 2) {
                    return INCOMPLETE;
                }
                String s = in.toString(in.readerIndex(), (int) n, StandardCharsets.UTF_8);
                in.skipBytes((int) n + 2);
                return s;
            }
            case '*': {
                long n = number(in, from + 1, cr);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>((int) n);
                for (long i = 0; i < n; i++) {
                    Object item = read(in);
                    if (item == INCOMPLETE) {
                        return INCOMPLETE;
                    }
                    items.add(item);
                }
                return items;
            }
            default:
                throw new DecoderException("not a RESP2 reply: type byte " + type);
        }
    }

    /** The decimal (optionally negative) in {@code [from, to)}. */
    private static long number(ByteBuf in, int from, int to) {
        boolean negative = in.getByte(from) == '-';
        long value = 0;
        for (int i = negative ? from + 1 : from; i < to; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                throw new DecoderException("not a RESP2 number at byte " + i);
            }
            value = value * 10 + (b - '0');
        }
        return negative ? -value : value;
    }
}
