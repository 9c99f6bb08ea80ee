package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Parses one complete upstream response head, in place in the decoder's buffer, into an
 * {@link UpstreamResponseHead}; used by {@link UpstreamResponseDecoder}. Strict like Netty's decoder with
 * RFC 9112 transfer-encoding, and stricter where a relay must be: obs-fold, whitespace before the colon, control
 * characters, a bare CR, a second or malformed Content-Length, {@code chunked} that is not the final transfer
 * coding all throw {@link CorruptedFrameException}. Content-Length together with Transfer-Encoding is not an
 * error (RFC 9112 §6.3: Transfer-Encoding wins, Content-Length is dropped), but the connection is not reused.
 */
final class ResponseHeadParser {

    /** A Content-Length body up to this size that is already in the buffer travels inside the head. */
    static final int MAX_INLINE_BODY = 2048;
    private static final byte[] HTTP_1 = "HTTP/1.".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "close".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = "keep-alive".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED = "chunked".getBytes(StandardCharsets.US_ASCII);

    private final ByteBuf in;
    private final int base;
    private int[] fields = new int[16 * UpstreamResponseHead.STRIDE];
    private int fieldCount;
    private int[] listed = new int[0];
    private long contentLength = -1;
    private boolean transferEncoding;
    private boolean chunked;
    private boolean close;
    private boolean keepAliveToken;

    private ResponseHeadParser(ByteBuf in, int base) {
        this.in = in;
        this.base = base;
    }

    /**
     * @param start       the head's first byte in {@code in}
     * @param end         the index after the head's terminating empty line
     * @param headRequest whether the request was {@code HEAD} (no body follows whatever the head says)
     */
    static UpstreamResponseHead parse(ByteBuf in, int start, int end, boolean headRequest) {
        return new ResponseHeadParser(in, start).parse(end, headRequest);
    }

    private UpstreamResponseHead parse(int end, boolean headRequest) {
        int lf = in.indexOf(base, end, (byte) '\n');
        int statusLineEnd = lineEnd(base, lf);
        boolean http10 = checkStatusLine(statusLineEnd);
        int status = (in.getByte(base + 9) - '0') * 100 + (in.getByte(base + 10) - '0') * 10 + (in.getByte(base + 11) - '0');
        int pos = lf + 1;
        while (true) {
            lf = in.indexOf(pos, end, (byte) '\n');
            int le = lineEnd(pos, lf);
            if (le == pos) {
                break;
            }
            field(pos, le);
            pos = lf + 1;
        }
        markListed();
        boolean keepAlive = !close && (!http10 || keepAliveToken) && !(transferEncoding && contentLength >= 0);
        UpstreamResponseHead.Framing framing;
        if (headRequest || status == 204 || status == 304 || status / 100 == 1) {
            framing = UpstreamResponseHead.Framing.NONE;
        } else if (transferEncoding) {
            framing = chunked ? UpstreamResponseHead.Framing.CHUNKED : UpstreamResponseHead.Framing.UNTIL_CLOSE;
        } else if (contentLength >= 0) {
            framing = UpstreamResponseHead.Framing.LENGTH;
        } else {
            framing = UpstreamResponseHead.Framing.UNTIL_CLOSE;
        }
        if (framing == UpstreamResponseHead.Framing.UNTIL_CLOSE) {
            keepAlive = false;
        }
        int inline = framing == UpstreamResponseHead.Framing.LENGTH && contentLength <= MAX_INLINE_BODY
                && in.writerIndex() - end >= contentLength ? (int) contentLength : 0;
        return new UpstreamResponseHead(in.retainedSlice(base, end - base + inline), end - base, status,
                statusLineEnd - base, fields, fieldCount, framing, contentLength, contentLength >= 0 && !transferEncoding,
                keepAlive);
    }

    /** The end of the line ending at {@code lf} without its CR; a CR elsewhere is caught by the character checks. */
    private int lineEnd(int start, int lf) {
        return lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
    }

    /** {@code HTTP/1.x SP 3DIGIT [SP reason]}; returns whether the version is 1.0. */
    private boolean checkStatusLine(int le) {
        if (le - base < 12 || !startsWithHttp1()) {
            throw fail("malformed status line");
        }
        byte minor = in.getByte(base + 7);
        if ((minor != '0' && minor != '1') || in.getByte(base + 8) != ' ') {
            throw fail("unsupported version or malformed status line");
        }
        for (int i = base + 9; i < base + 12; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                throw fail("malformed status code");
            }
        }
        if (in.getByte(base + 9) == '0') {
            throw fail("malformed status code");
        }
        if (le > base + 12 && in.getByte(base + 12) != ' ') {
            throw fail("malformed status line");
        }
        for (int i = base + 12; i < le; i++) {
            if (ResponseFields.isCtl(in.getByte(i))) {
                throw fail("control character in reason phrase");
            }
        }
        return minor == '0';
    }

    private boolean startsWithHttp1() {
        for (int i = 0; i < HTTP_1.length; i++) {
            if (in.getByte(base + i) != HTTP_1[i]) {
                return false;
            }
        }
        return true;
    }

    private void field(int ls, int le) {
        int colon = checkField(in, ls, le);
        int vs = colon + 1;
        int ve = le;
        while (vs < ve && ResponseFields.isWhitespace(in.getByte(vs))) {
            vs++;
        }
        while (ve > vs && ResponseFields.isWhitespace(in.getByte(ve - 1))) {
            ve--;
        }
        int kind = ResponseFields.kind(in, ls, colon);
        switch (kind) {
            case ResponseFields.CONNECTION -> connection(vs, ve);
            case ResponseFields.CONTENT_LENGTH -> contentLength(vs, ve);
            case ResponseFields.TRANSFER_ENCODING -> transferEncoding(vs, ve);
            default -> { }
        }
        if (fieldCount * UpstreamResponseHead.STRIDE == fields.length) {
            fields = Arrays.copyOf(fields, fields.length * 2);
        }
        int at = fieldCount++ * UpstreamResponseHead.STRIDE;
        fields[at] = ls - base;
        fields[at + 1] = colon - base;
        fields[at + 2] = vs - base;
        fields[at + 3] = ve - base;
        fields[at + 4] = kind;
    }

    /**
     * Checks a field line {@code in[ls, le)} (no CRLF): a token name, a colon right after it, a value without
     * control characters. Returns the colon's index. Shared with the decoder's trailer parsing.
     */
    static int checkField(ByteBuf in, int ls, int le) {
        if (ls < le && ResponseFields.isWhitespace(in.getByte(ls))) {
            throw fail("obs-fold (folded field line)");
        }
        int i = ls;
        while (i < le && ResponseFields.isTchar(in.getByte(i))) {
            i++;
        }
        if (i == le || in.getByte(i) != ':') {
            throw fail(ResponseFields.isWhitespace(in.getByte(Math.min(i, le - 1)))
                    ? "whitespace before colon" : "invalid field name");
        }
        if (i == ls) {
            throw fail("empty field name");
        }
        for (int v = i + 1; v < le; v++) {
            if (ResponseFields.isCtl(in.getByte(v))) {
                throw fail("control character in field value");
            }
        }
        return i;
    }

    /** The first comma in [from, to), or -1; a plain loop: list values are a few bytes long. */
    private int comma(int from, int to) {
        for (int i = from; i < to; i++) {
            if (in.getByte(i) == ',') {
                return i;
            }
        }
        return -1;
    }

    private void connection(int vs, int ve) {
        forEachToken(vs, ve, (a, b) -> {
            if (b - a == CLOSE.length && ResponseFields.equalsLowerCase(in, a, CLOSE)) {
                close = true;
            } else if (b - a == KEEP_ALIVE.length && ResponseFields.equalsLowerCase(in, a, KEEP_ALIVE)) {
                keepAliveToken = true;
            } else {
                listed = Arrays.copyOf(listed, listed.length + 2);
                listed[listed.length - 2] = a;
                listed[listed.length - 1] = b;
            }
        });
    }

    /** A list element, trimmed and not empty: {@code in[a, b)}. */
    private interface TokenSink {
        void token(int a, int b);
    }

    /** Calls {@code sink} for each non-empty element of the comma-separated list in {@code in[vs, ve)}. */
    private void forEachToken(int vs, int ve, TokenSink sink) {
        int ts = vs;
        while (ts <= ve) {
            int comma = comma(ts, ve);
            int te = comma < 0 ? ve : comma;
            int a = ts;
            int b = te;
            while (a < b && ResponseFields.isWhitespace(in.getByte(a))) {
                a++;
            }
            while (b > a && ResponseFields.isWhitespace(in.getByte(b - 1))) {
                b--;
            }
            if (b > a) {
                sink.token(a, b);
            }
            ts = te + 1;
        }
    }

    private void contentLength(int vs, int ve) {
        if (contentLength >= 0) {
            throw fail("more than one Content-Length");
        }
        if (vs == ve || ve - vs > 18) {
            throw fail("invalid Content-Length");
        }
        long value = 0;
        for (int i = vs; i < ve; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                throw fail("invalid Content-Length");
            }
            value = value * 10 + (b - '0');
        }
        contentLength = value;
    }

    /** Records whether {@code chunked} is the final coding; {@code chunked} before another coding is an error. */
    private void transferEncoding(int vs, int ve) {
        forEachToken(vs, ve, (a, b) -> {
            if (chunked) {
                throw fail("chunked is not the final transfer coding");
            }
            chunked = b - a == CHUNKED.length && ResponseFields.equalsLowerCase(in, a, CHUNKED);
            if (!chunked) {
                // The client's head says only chunked (or nothing): relaying gzip-coded bytes under it would hand the
                // client a body it cannot read, and charge for it. Refused: 502, and the charge is refunded.
                throw fail("unsupported transfer coding (only chunked is relayed)");
            }
        });
        transferEncoding = true;
    }

    /** Fields named in Connection are hop-by-hop too, except the framing and Host fields. */
    private void markListed() {
        for (int t = 0; t < listed.length; t += 2) {
            for (int f = 0; f < fieldCount; f++) {
                int at = f * UpstreamResponseHead.STRIDE;
                int kind = fields[at + 4];
                if (kind != ResponseFields.CONTENT_LENGTH && kind != ResponseFields.HOST
                        && ResponseFields.sameName(in, base + fields[at], base + fields[at + 1], listed[t], listed[t + 1])) {
                    fields[at + 4] = ResponseFields.LISTED;
                }
            }
        }
    }

    static CorruptedFrameException fail(String reason) {
        return new CorruptedFrameException("upstream response: " + reason);
    }
}
