package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A final response head as the {@link UpstreamResponseDecoder} read it: the raw head bytes (status line and
 * field lines, a retained slice of what the upstream sent) plus an index of the field lines and what the proxy
 * needs to know about them. No header map is built: {@link ClientResponseWriter} copies the kept lines. A small
 * Content-Length body that arrived with the head travels inside it ({@link #inlineBodyLength()}): one write of
 * head and body to the client is cheaper than two, and copying a few hundred bytes costs less than a write.
 * Reference counted through its bytes; whoever takes it from the pipeline releases it.
 */
final class UpstreamResponseHead extends DefaultByteBufHolder {

    /** How the upstream delimits this response's body. */
    enum Framing { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

    /** Per field line, offsets relative to the head's first byte: name start, name end, value start, value end, kind. */
    static final int STRIDE = 5;

    private final int status;
    private final int statusLineEnd;
    private final int headLength;
    private final int inlineBodyLength;
    private final int[] fields;
    private final int fieldCount;
    private final Framing framing;
    private final long contentLength;
    private final boolean lengthKnown;
    private final boolean keepAlive;

    UpstreamResponseHead(ByteBuf bytes, int headLength, int status, int statusLineEnd, int[] fields, int fieldCount,
                         Framing framing, long contentLength, boolean lengthKnown, boolean keepAlive) {
        super(bytes);
        this.headLength = headLength;
        this.inlineBodyLength = bytes.readableBytes() - headLength;
        this.status = status;
        this.statusLineEnd = statusLineEnd;
        this.fields = fields;
        this.fieldCount = fieldCount;
        this.framing = framing;
        this.contentLength = contentLength;
        this.lengthKnown = lengthKnown;
        this.keepAlive = keepAlive;
    }

    int status() {
        return status;
    }

    /** Offset of the end of the status line (after the reason phrase, before CRLF). */
    int statusLineEnd() {
        return statusLineEnd;
    }

    /** Length of the head itself, up to and including the empty line; the inline body follows it. */
    int headLength() {
        return headLength;
    }

    /** Bytes of body carried after the head (the whole body when not 0; then no body slices follow). */
    int inlineBodyLength() {
        return inlineBodyLength;
    }

    int fieldCount() {
        return fieldCount;
    }

    /** One of the {@link ResponseFields} kinds. */
    int kind(int field) {
        return fields[field * STRIDE + 4];
    }

    int nameStart(int field) {
        return fields[field * STRIDE];
    }

    /** Offset of the colon that ends the field's name. */
    int nameEnd(int field) {
        return fields[field * STRIDE + 1];
    }

    int valueStart(int field) {
        return fields[field * STRIDE + 2];
    }

    int valueEnd(int field) {
        return fields[field * STRIDE + 3];
    }

    Framing framing() {
        return framing;
    }

    /** The body length when {@link #framing()} is {@link Framing#LENGTH}. */
    long contentLength() {
        return contentLength;
    }

    /** Whether Content-Length is present and no Transfer-Encoding overrides it (even if no body follows). */
    boolean lengthKnown() {
        return lengthKnown;
    }

    /** Whether the upstream connection may carry another exchange after this response. */
    boolean keepAlive() {
        return keepAlive;
    }

    @Override
    public String toString() {
        return "UpstreamResponseHead(" + status + ", " + framing + ", fields=" + fieldCount + ")";
    }
}
