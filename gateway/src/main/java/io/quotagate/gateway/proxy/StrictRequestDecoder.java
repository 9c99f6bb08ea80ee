package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.Queue;

/**
 * The client side's HTTP/1.1 request decoder, inside {@link StrictServerCodec} (first HTTP handler of a client
 * pipeline, after TLS). It turns bytes into, per request, one {@link DefaultHttpRequest}, its body as
 * {@link DefaultHttpContent}s holding retained slices of what was read (never copied or aggregated, at most
 * {@link StrictServerCodec#MAX_CHUNK_SIZE} bytes each), and a {@link LastHttpContent} (with the trailer fields
 * of a chunked body). It replaced Netty's {@code HttpRequestDecoder} plus our own checks around it: a head is
 * found with one {@code indexOf} pass (which also enforces the line and header limits), copied once and parsed and
 * checked in one more pass by {@link RequestHeadParser}; see there and {@code docs/proxy.md} for what is refused.
 *
 * <p>A refused head is emitted as a request whose {@code decoderResult()} failed, a broken body as a failed
 * {@link LastHttpContent}; the causes are those {@link ErrorResponses#codeFor} maps ({@link RejectedRequestException},
 * {@link TooLongHttpLineException} → 414 for an over-long request target only, {@link TooLongHttpHeaderException}
 * → 431 for field lines, trailers included; an over-long method or chunk-size line is a 400). After a failure every later
 * byte is dropped: the frontend answers the failed message in order and closes the connection. Each request's
 * method goes into the codec's queue (so the encoder knows which responses answer a HEAD).
 */
final class StrictRequestDecoder extends ByteToMessageDecoder {

    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    private enum State { HEAD, LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_CRLF, TRAILERS, FAILED }

    private final int maxInitialLineLength;
    private final int maxHeaderSize;
    private final Queue<HttpMethod> methods;
    private final RequestHeadParser parser;
    /** The head (or a trailer line) is copied here to be parsed; grows to the largest head seen. */
    private byte[] scratch = new byte[512];
    private State state = State.HEAD;
    /** Bytes of the incomplete head already searched for line ends (whole lines), from the reader index. */
    private int scanned;
    /** Field line bytes (without CRLF) of the current message so far, its trailers included, as Netty counted. */
    private int fieldBytes;
    private long remaining;
    private HttpHeaders trailers;

    /**
     * @param methods             receives the method of every decoded request, in order (for the response encoder)
     * @param dropUnderscoreNames leave out fields whose names contain '_' ({@code server.underscores_in_headers})
     */
    StrictRequestDecoder(int maxInitialLineLength, int maxHeaderSize, boolean dropUnderscoreNames, Queue<HttpMethod> methods) {
        this.maxInitialLineLength = maxInitialLineLength;
        this.maxHeaderSize = maxHeaderSize;
        this.parser = new RequestHeadParser(dropUnderscoreNames);
        this.methods = methods;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            boolean progress = switch (state) {
                case HEAD -> readHead(in, out);
                case FAILED -> {
                    in.skipBytes(in.readableBytes());
                    yield false;
                }
                default -> readBody(in, out);
            };
            if (!progress) {
                return;
            }
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        if (state == State.HEAD && scanned > 0) {
            // The request line arrived but not the whole head: failed like Netty's decoder failed it (400 to a
            // closing connection). A close in the middle of a body emits nothing: the frontend sees the close.
            fail(in, out, null, new PrematureChannelClosureException("Connection closed before received headers"));
        }
    }

    /** Emits the next head if it is complete; returns whether anything was consumed. */
    private boolean readHead(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        if (scanned == 0) {
            // RFC 9112 §2.2: empty lines (CRLF only) before a request line are ignored, e.g. one a client sent
            // after a body. Other leading bytes are not skipped (Netty skipped any control or whitespace).
            int at = start;
            while (in.writerIndex() - at >= 2 && in.getByte(at) == '\r' && in.getByte(at + 1) == '\n') {
                at += 2;
            }
            if (at > start) {
                in.readerIndex(at);
                return true;
            }
        }
        int limit = in.writerIndex();
        int pos = start + scanned;
        try {
            while (true) {
                int lf = in.indexOf(pos, limit, (byte) '\n');
                if (lf < 0) {
                    checkIncompleteLine(in, start, pos == start, limit - pos);
                    scanned = pos - start;
                    return false;
                }
                int length = lf - pos - (lf > pos && in.getByte(lf - 1) == '\r' ? 1 : 0);
                if (pos == start) {
                    if (length > maxInitialLineLength) {
                        throw tooLongRequestLine(in, start);
                    }
                } else if (length == 0) {
                    emitHead(in, start, lf + 1, out);
                    return true;
                } else {
                    fieldBytes += length;
                    checkFieldBytes(0);
                }
                pos = lf + 1;
            }
        } catch (RejectedRequestException | TooLongHttpLineException | TooLongHttpHeaderException
                 | IllegalArgumentException e) {
            fail(in, out, parser.method, e);
            return true;
        }
    }

    private void emitHead(ByteBuf in, int start, int end, List<Object> out) {
        int length = end - start;
        if (scratch.length < length) {
            scratch = new byte[Integer.highestOneBit(length) << 1];
        }
        in.getBytes(start, scratch, 0, length);
        scanned = 0;
        parser.method = null;
        DefaultHttpRequest request = parser.parse(scratch, length);
        parser.method = null; // a later failure while scanning must not report this request's method
        in.readerIndex(end);
        methods.add(request.method());
        out.add(request);
        switch (parser.framing) {
            case CHUNKED -> state = State.CHUNK_SIZE;
            case LENGTH -> {
                remaining = parser.contentLength;
                state = State.LENGTH;
                if (remaining == 0) {
                    end(LastHttpContent.EMPTY_LAST_CONTENT, out);
                }
            }
            default -> end(LastHttpContent.EMPTY_LAST_CONTENT, out);
        }
    }

    private void checkIncompleteLine(ByteBuf in, int start, boolean requestLine, int pending) {
        // One byte more than the limit may be the line's CR.
        if (requestLine && pending > maxInitialLineLength + 1) {
            throw tooLongRequestLine(in, start);
        }
        if (!requestLine) {
            checkFieldBytes(pending - 1);
        }
    }

    /**
     * The failure for a request line over {@code maxInitialLineLength}, blaming the part the limit fell in: 414 only
     * when a well-formed method and the start of an origin-form target used it up (a long target); otherwise the
     * 400 the line's syntax would get (a 100 KB method, a long version, a line that is no request line at all).
     */
    private RuntimeException tooLongRequestLine(ByteBuf in, int start) {
        int end = start + maxInitialLineLength; // these bytes are there: the line is longer
        int p = start;
        while (p < end && ResponseFields.isTchar(in.getByte(p))) {
            p++;
        }
        if (p >= end - 1) {
            return RequestHeadParser.bad("request method too long");
        }
        if (p == start || in.getByte(p) != ' ') {
            return RequestHeadParser.bad("malformed request line (method)");
        }
        p++;
        if (in.getByte(p) != '/') {
            return RequestHeadParser.bad("request target must be origin-form (/path?query)");
        }
        byte c = 0;
        while (p < end && (c = in.getByte(p)) > 0x20 && c < 0x7f && c != '#') {
            p++;
        }
        if (p == end) {
            return new TooLongHttpLineException("An HTTP line is larger than " + maxInitialLineLength + " bytes.");
        }
        return RequestHeadParser.bad(c == ' ' ? "malformed request line (version must be HTTP/1.0 or HTTP/1.1)"
                : c == '\r' || c == '\n' ? "malformed request line (no version)"
                : "request target must be origin-form (/path?query)");
    }

    private void checkFieldBytes(int pending) {
        if (fieldBytes + pending > maxHeaderSize) {
            throw new TooLongHttpHeaderException("HTTP header is larger than " + maxHeaderSize + " bytes.");
        }
    }

    /** Reads body bytes and chunk framing as far as the buffer goes; returns whether anything was consumed. */
    private boolean readBody(ByteBuf in, List<Object> out) {
        try {
            switch (state) {
                case LENGTH -> {
                    ByteBuf data = in.readRetainedSlice((int) Math.min(remaining, Math.min(in.readableBytes(),
                            StrictServerCodec.MAX_CHUNK_SIZE)));
                    remaining -= data.readableBytes();
                    if (remaining == 0) {
                        end(new DefaultLastHttpContent(data, TRAILERS), out);
                    } else {
                        out.add(new DefaultHttpContent(data));
                    }
                }
                case CHUNK_SIZE -> {
                    int le = framingLine(in, maxInitialLineLength, true);
                    if (le < 0) {
                        return false;
                    }
                    remaining = ChunkSizeLine.parse(in, in.readerIndex(), le);
                    in.readerIndex(le + 2);
                    state = remaining == 0 ? State.TRAILERS : State.CHUNK_DATA;
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, Math.min(in.readableBytes(), StrictServerCodec.MAX_CHUNK_SIZE));
                    out.add(new DefaultHttpContent(in.readRetainedSlice(n)));
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.CHUNK_CRLF;
                    }
                }
                case CHUNK_CRLF -> {
                    if (in.readableBytes() < 2) {
                        return false;
                    }
                    if (in.getByte(in.readerIndex()) != '\r' || in.getByte(in.readerIndex() + 1) != '\n') {
                        throw RequestHeadParser.bad("chunk data not followed by CRLF");
                    }
                    in.skipBytes(2);
                    state = State.CHUNK_SIZE;
                }
                default -> { // TRAILERS
                    return readTrailer(in, out);
                }
            }
            return true;
        } catch (RejectedRequestException | TooLongHttpLineException | TooLongHttpHeaderException e) {
            fail(in, out, null, e);
            return true;
        }
    }

    /** One trailer line, or the empty line that ends the body. */
    private boolean readTrailer(ByteBuf in, List<Object> out) {
        int ls = in.readerIndex();
        int le = framingLine(in, maxHeaderSize - fieldBytes, false);
        if (le < 0) {
            return false;
        }
        in.readerIndex(le + 2);
        if (le == ls) {
            end(trailers == null ? LastHttpContent.EMPTY_LAST_CONTENT
                    : new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers), out);
            return true;
        }
        fieldBytes += le - ls;
        int length = le + 2 - ls;
        if (scratch.length < length) {
            scratch = new byte[Integer.highestOneBit(length) << 1];
        }
        in.getBytes(ls, scratch, 0, length);
        parser.field(scratch, 0);
        if (!parser.keepTrailer(0)) {
            return true;
        }
        AsciiString name = parser.lastName(0);
        // Framing fields are not allowed as trailers (RFC 9110 §6.5.1); dropped, as Netty's decoder dropped them.
        if (!name.contentEqualsIgnoreCase(HttpHeaderNames.CONTENT_LENGTH)
                && !name.contentEqualsIgnoreCase(HttpHeaderNames.TRANSFER_ENCODING)
                && !name.contentEqualsIgnoreCase(HttpHeaderNames.TRAILER)) {
            if (trailers == null) {
                trailers = TRAILERS.newHeaders();
            }
            trailers.add(name, parser.lastValue());
        }
        return true;
    }

    /**
     * The index of the CR ending the line at the reader index, or -1 when its LF has not arrived. A line must end
     * with CRLF and be at most {@code maxLength} bytes long without it: a longer chunk-size line is a 400 (it is not
     * the request line: 414 would misname it), a longer trailer line a 431 (trailers are header fields).
     */
    private static int framingLine(ByteBuf in, int maxLength, boolean chunkSize) {
        int start = in.readerIndex();
        int lf = in.indexOf(start, (int) Math.min(in.writerIndex(), (long) start + maxLength + 2), (byte) '\n');
        if (lf < 0) {
            if (in.readableBytes() > maxLength + 1) {
                throw chunkSize ? RequestHeadParser.bad("chunk-size line too long (over " + maxLength + " bytes)")
                        : new TooLongHttpHeaderException("HTTP header is larger than " + maxLength + " bytes.");
            }
            return -1;
        }
        if (lf == start || in.getByte(lf - 1) != '\r') {
            throw RequestHeadParser.bad("bare LF line end in chunked body");
        }
        return lf - 1;
    }

    /** The message ended with {@code last}; the next bytes start a new request. */
    private void end(LastHttpContent last, List<Object> out) {
        out.add(last);
        state = State.HEAD;
        fieldBytes = 0;
        trailers = null;
    }

    /** Emits the failure (as a failed head, or as a failed last content mid-body) and drops everything after it. */
    private void fail(ByteBuf in, List<Object> out, HttpMethod method, Exception cause) {
        if (state == State.HEAD) {
            DefaultHttpRequest failed = new DefaultHttpRequest(HttpVersion.HTTP_1_0,
                    method != null ? method : HttpMethod.GET, "/bad-request");
            failed.setDecoderResult(DecoderResult.failure(cause));
            methods.add(failed.method());
            out.add(failed);
        } else {
            LastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            failed.setDecoderResult(DecoderResult.failure(cause));
            out.add(failed);
        }
        state = State.FAILED;
        trailers = null;
        in.skipBytes(in.readableBytes());
    }
}
