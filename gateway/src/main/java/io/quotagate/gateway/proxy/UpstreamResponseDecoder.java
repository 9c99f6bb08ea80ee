package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * First handler of an upstream connection's pipeline after TLS
 * ({@code [SslHandler] → UpstreamResponseDecoder → HttpRequestEncoder → BackendHandler}): turns the upstream's
 * bytes into, per final response, one {@link UpstreamResponseHead}, the body as {@link ByteBuf} slices (retained
 * slices of what was read, never copied; a small body that came with the head rides in the head instead), and
 * {@link #END}. Interim (1xx) responses are read and dropped.
 *
 * <p>It parses only what a relay needs: the head (see {@link ResponseHeadParser}), and the body framing to find
 * the message's end. A chunked body is passed on with its chunk framing and trailers as received (the client gets
 * the same chunks), or, for a client that cannot read chunked ({@link #expect}), as data only. Any framing error
 * throws (the pipeline's {@code exceptionCaught}) and every later byte is ignored: the connection is unusable.
 * The chunks that arrived in the same read as their head are checked before the head is passed on, so a framing
 * error among them fails the response as a whole (502, nothing sent to the client yet) instead of after its head
 * was relayed.
 */
final class UpstreamResponseDecoder extends ByteToMessageDecoder {

    /** Follows the last body slice of a response (or its head when it has no body). */
    static final Object END = new Object() {
        @Override
        public String toString() {
            return "UpstreamResponseDecoder.END";
        }
    };
    static final int MAX_HEAD_SIZE = 64 * 1024;
    /** A chunk-size line with extensions; Netty's limit for the same line is the initial line limit. */
    static final int MAX_CHUNK_LINE = 4 * 1024;

    private enum State { HEAD, LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_CRLF, TRAILERS, UNTIL_CLOSE, FAILED }

    private State state = State.HEAD;
    private boolean headRequest;
    private boolean dechunk;
    private long remaining;
    private int headScanned;
    private int trailerBytes;

    /**
     * Tells what the next response answers; called before its request is written.
     *
     * @param headRequest whether the request is {@code HEAD}: no body follows the response head
     * @param dechunk     whether a chunked body is to be passed on as data only (the client cannot read chunked)
     */
    void expect(boolean headRequest, boolean dechunk) {
        this.headRequest = headRequest;
        this.dechunk = dechunk;
    }

    /**
     * Whether bytes beyond the response just ended are already buffered. The proxy never pipelines, so they answer
     * nothing it asked; a connection holding them must not be reused (they would become the next exchange's response).
     */
    boolean hasUnreadBytes() {
        return actualReadableBytes() > 0;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (state == State.FAILED) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            switch (state) {
                case HEAD -> readHead(in, out);
                case LENGTH -> readFixed(in, out);
                case UNTIL_CLOSE -> out.add(in.readRetainedSlice(in.readableBytes()));
                default -> readChunked(in, out);
            }
        } catch (DecoderException e) {
            state = State.FAILED;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (in.isReadable()) {
            decode(ctx, in, out);
        }
        if (state == State.UNTIL_CLOSE) {
            end(out); // the close is the body's end; a close anywhere else leaves the response unfinished
        }
    }

    private void readHead(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int end = endOfHead(in);
        if (end < 0) {
            if (in.readableBytes() > MAX_HEAD_SIZE) {
                throw new TooLongFrameException("upstream response head is larger than " + MAX_HEAD_SIZE + " bytes");
            }
            return;
        }
        if (end - start > MAX_HEAD_SIZE) {
            throw new TooLongFrameException("upstream response head is larger than " + MAX_HEAD_SIZE + " bytes");
        }
        UpstreamResponseHead head = ResponseHeadParser.parse(in, start, end, headRequest);
        in.readerIndex(end + head.inlineBodyLength());
        if (head.status() / 100 == 1) {
            head.release();
            if (head.status() == 101) {
                throw ResponseHeadParser.fail("101 Switching Protocols was never asked for");
            }
            return; // interim: we removed Expect and Upgrade, so at most a hint (103); not relayed
        }
        out.add(head);
        switch (head.framing()) {
            case NONE -> end(out);
            case LENGTH -> {
                remaining = head.contentLength() - head.inlineBodyLength();
                state = State.LENGTH;
                if (remaining == 0) {
                    end(out);
                }
            }
            case CHUNKED -> {
                state = State.CHUNK_SIZE;
                readChunksWithHead(in, out);
            }
            case UNTIL_CLOSE -> state = State.UNTIL_CLOSE;
        }
    }

    /** Walks the chunks that came with the head (the head is the last element of {@code out}); on error, drops both. */
    private void readChunksWithHead(ByteBuf in, List<Object> out) {
        int headIndex = out.size() - 1;
        try {
            readChunked(in, out);
        } catch (DecoderException e) {
            while (out.size() > headIndex) {
                ReferenceCountUtil.release(out.remove(out.size() - 1));
            }
            throw e;
        }
    }

    /**
     * The index after the empty line that ends the head, or -1 when it has not arrived yet. Lines already
     * searched are remembered so a head that trickles in is not scanned again and again.
     */
    private int endOfHead(ByteBuf in) {
        int start = in.readerIndex();
        int limit = in.writerIndex();
        int pos = start + headScanned;
        while (true) {
            int lf = in.indexOf(pos, limit, (byte) '\n');
            if (lf < 0) {
                headScanned = pos - start;
                return -1;
            }
            boolean empty = lf == pos || (lf == pos + 1 && in.getByte(pos) == '\r');
            if (empty && pos > start) {
                headScanned = 0;
                return lf + 1;
            }
            pos = lf + 1;
        }
    }

    private void readFixed(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(remaining, in.readableBytes());
        out.add(in.readRetainedSlice(n));
        remaining -= n;
        if (remaining == 0) {
            end(out);
        }
    }

    /** Walks chunk framing as far as the buffer goes; relays it as one slice, or the data slices when de-chunking. */
    private void readChunked(ByteBuf in, List<Object> out) {
        int passFrom = in.readerIndex();
        while (true) {
            switch (state) {
                case CHUNK_SIZE -> {
                    int le = chunkLine(in, MAX_CHUNK_LINE);
                    if (le < 0) {
                        passOn(in, passFrom, in.readerIndex(), out);
                        return;
                    }
                    remaining = ChunkSize.parse(in, in.readerIndex(), le);
                    in.readerIndex(le + 2);
                    if (remaining == 0) {
                        trailerBytes = 0;
                        state = State.TRAILERS;
                    } else {
                        state = State.CHUNK_DATA;
                    }
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, in.readableBytes());
                    if (n == 0) {
                        passOn(in, passFrom, in.readerIndex(), out);
                        return;
                    }
                    if (dechunk) {
                        out.add(in.readRetainedSlice(n));
                    } else {
                        in.skipBytes(n);
                    }
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.CHUNK_CRLF;
                    }
                }
                case CHUNK_CRLF -> {
                    if (in.readableBytes() < 2) {
                        passOn(in, passFrom, in.readerIndex(), out);
                        return;
                    }
                    if (in.getByte(in.readerIndex()) != '\r' || in.getByte(in.readerIndex() + 1) != '\n') {
                        throw ResponseHeadParser.fail("chunk data not followed by CRLF");
                    }
                    in.skipBytes(2);
                    state = State.CHUNK_SIZE;
                }
                default -> { // TRAILERS
                    int ls = in.readerIndex();
                    int le = chunkLine(in, MAX_HEAD_SIZE - trailerBytes);
                    if (le < 0) {
                        passOn(in, passFrom, ls, out);
                        return;
                    }
                    trailerBytes += le + 2 - ls;
                    in.readerIndex(le + 2);
                    if (le == ls) {
                        passOn(in, passFrom, le + 2, out);
                        end(out);
                        return;
                    }
                    int colon = ResponseHeadParser.checkField(in, ls, le);
                    if (isFramingField(ResponseFields.kind(in, ls, colon))) {
                        passOn(in, passFrom, ls, out); // dropped, as Netty's decoder drops them from trailers
                        passFrom = le + 2;
                    }
                }
            }
        }
    }

    private static boolean isFramingField(int kind) {
        return kind == ResponseFields.CONTENT_LENGTH || kind == ResponseFields.TRANSFER_ENCODING
                || kind == ResponseFields.TRAILER;
    }

    /**
     * The end of a CRLF-terminated line at the reader index (the CR's index), or -1 if incomplete. Chunk framing
     * is relayed as received, so unlike head lines a bare LF is not accepted here.
     */
    private static int chunkLine(ByteBuf in, int maxLength) {
        int start = in.readerIndex();
        int lf = in.indexOf(start, Math.min(in.writerIndex(), start + maxLength + 2), (byte) '\n');
        if (lf < 0) {
            if (in.readableBytes() > maxLength + 1) {
                throw new TooLongFrameException("upstream chunk-size or trailer line too long");
            }
            return -1;
        }
        if (lf == start || in.getByte(lf - 1) != '\r') {
            throw ResponseHeadParser.fail("chunk framing line not ended by CRLF");
        }
        return lf - 1;
    }

    /** In relay mode, the bytes {@code [from, to)} walked over (framing and data) go on as one slice. */
    private void passOn(ByteBuf in, int from, int to, List<Object> out) {
        if (!dechunk && to > from) {
            out.add(in.retainedSlice(from, to - from));
        }
    }

    private void end(List<Object> out) {
        out.add(END);
        state = State.HEAD;
        headRequest = false;
        dechunk = false;
    }

    /** Parses {@code chunk-size [ BWS ";" chunk-ext ]} (RFC 9112 §7.1). */
    private static final class ChunkSize {
        static long parse(ByteBuf in, int start, int end) {
            long size = 0;
            int i = start;
            while (i < end && Character.digit(in.getByte(i), 16) >= 0) {
                if (i - start == 15) {
                    throw ResponseHeadParser.fail("chunk size too large");
                }
                size = size * 16 + Character.digit(in.getByte(i), 16);
                i++;
            }
            if (i == start) {
                throw ResponseHeadParser.fail("invalid chunk size");
            }
            while (i < end && ResponseFields.isWhitespace(in.getByte(i))) {
                i++;
            }
            if (i < end && in.getByte(i) != ';') {
                throw ResponseHeadParser.fail("invalid chunk size");
            }
            for (; i < end; i++) {
                if (ResponseFields.isCtl(in.getByte(i))) {
                    throw ResponseHeadParser.fail("control character in chunk extension");
                }
            }
            return size;
        }
    }
}
