package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;

/**
 * The strict syntax of a request's chunk-size line (RFC 9112 §7.1), checked by {@link StrictRequestDecoder}
 * on the bytes between the line's start and its CRLF: {@code 1*HEXDIG *( BWS ";" BWS token [ BWS "=" BWS
 * ( token / quoted-string ) ] )}. Extensions are tolerated when well-formed (and not forwarded: the body is
 * re-chunked by {@link RequestBodyFraming}); anything else in the line, including whitespace not followed by
 * {@code ;}, is refused, as is a size over {@link Integer#MAX_VALUE} (Netty's limit too).
 */
final class ChunkSizeLine {

    private ChunkSizeLine() {
    }

    /** The chunk size of the line {@code in[start, end)}; throws {@link RejectedRequestException} if malformed. */
    static int parse(ByteBuf in, int start, int end) {
        long size = 0;
        int i = start;
        int digit;
        while (i < end && (digit = Character.digit(in.getByte(i), 16)) >= 0) {
            size = size * 16 + digit;
            if (size > Integer.MAX_VALUE) {
                throw RequestHeadParser.bad("chunk size too large");
            }
            i++;
        }
        if (i == start) {
            throw RequestHeadParser.bad("invalid chunk size");
        }
        while (i < end) {
            i = skipWhitespace(in, i, end);
            if (i == end || in.getByte(i) != ';') {
                throw RequestHeadParser.bad("invalid chunk size or extension");
            }
            i = token(in, skipWhitespace(in, i + 1, end), end);
            int afterName = skipWhitespace(in, i, end);
            if (afterName < end && in.getByte(afterName) == '=') {
                int v = skipWhitespace(in, afterName + 1, end);
                i = v < end && in.getByte(v) == '"' ? quoted(in, v + 1, end) : token(in, v, end);
            }
        }
        return (int) size;
    }

    private static int skipWhitespace(ByteBuf in, int i, int end) {
        while (i < end && ResponseFields.isWhitespace(in.getByte(i))) {
            i++;
        }
        return i;
    }

    /** A non-empty token from {@code i}; returns the index after it. */
    private static int token(ByteBuf in, int i, int end) {
        int start = i;
        while (i < end && ResponseFields.isTchar(in.getByte(i))) {
            i++;
        }
        if (i == start) {
            throw RequestHeadParser.bad("invalid chunk extension");
        }
        return i;
    }

    /** The rest of a quoted-string after its opening quote; returns the index after the closing quote. */
    private static int quoted(ByteBuf in, int i, int end) {
        while (i < end) {
            byte c = in.getByte(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\') {
                i++; // quoted-pair: any HTAB, SP, VCHAR or obs-text may follow
                if (i == end) {
                    break;
                }
                c = in.getByte(i);
            }
            if (ResponseFields.isCtl(c)) {
                throw RequestHeadParser.bad("control character in chunk extension");
            }
            i++;
        }
        throw RequestHeadParser.bad("unterminated quoted string in chunk extension");
    }
}
