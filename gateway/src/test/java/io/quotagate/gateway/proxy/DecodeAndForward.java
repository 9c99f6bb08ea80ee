package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a byte stream through {@link StrictRequestDecoder}, read by read, and forwards each decoded request the way
 * {@link FrontendHandler} and {@link Exchange} do: the head through {@link RequestHeadWriter} (chunked-ness and the
 * key's source derived as the frontend derives them), each body piece through {@link RequestBodyFraming}, into an
 * {@link EmbeddedChannel} standing for the upstream connection. Checks the decoder's message grammar on the way
 * (head, contents, last; nothing after a failure; one method queued per head) and that every buffer it was fed was
 * released. Every message is released here.
 */
final class DecodeAndForward {

    enum End { COMPLETE, BODY_FAILED, CUT_MID_BODY }

    /** One request the decoder emitted with a successful head: what it decoded, and what went upstream. */
    static final class Forwarded {
        final HttpRequest head;
        final boolean chunked;
        final boolean keyInAuthorization;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        HttpHeaders trailers;
        End end = End.CUT_MID_BODY;
        final EmbeddedChannel upstream = new EmbeddedChannel();
        byte[] upstreamBytes;

        Forwarded(HttpRequest head) {
            this.head = head;
            this.chunked = HttpUtil.isTransferEncodingChunked(head);
            this.keyInAuthorization = KeyHeaders.bearer(head.headers()) != null;
        }
    }

    final List<Forwarded> forwarded = new ArrayList<>();
    /** The cause of the failed head or last content, if any. */
    Throwable failure;
    boolean headFailed;

    private final RequestHeadWriter writer;
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();
    private int heads;
    private Forwarded current;

    private DecodeAndForward(RequestHeadWriter writer) {
        this.writer = writer;
    }

    static DecodeAndForward run(List<byte[]> reads, boolean dropUnderscoreNames, RequestHeadWriter writer) {
        DecodeAndForward run = new DecodeAndForward(writer);
        EmbeddedChannel client = new EmbeddedChannel(new StrictRequestDecoder(4096, 8192, dropUnderscoreNames, run.methods));
        List<ByteBuf> fed = new ArrayList<>();
        try {
            for (byte[] read : reads) {
                // Pooled: Netty's leak detector (paranoid in this build) tracks these and what is sliced from them.
                ByteBuf buf = PooledByteBufAllocator.DEFAULT.heapBuffer(read.length).writeBytes(read);
                fed.add(buf);
                client.writeInbound(buf); // an exception escaping the decoder is rethrown here
                run.drain(client);
            }
            client.finish(); // the client closes: a partial head fails, a partial body emits nothing
            run.drain(client);
        } finally {
            client.finishAndReleaseAll();
            for (Forwarded f : run.forwarded) {
                f.upstreamBytes = drainOutbound(f.upstream); // body slices sent upstream hold the fed buffers
            }
        }
        for (ByteBuf buf : fed) {
            check(buf.refCnt() == 0, "a buffer fed to the decoder was not released");
        }
        check(run.methods.size() == run.heads, "methods queued " + run.methods.size() + " for " + run.heads + " heads");
        return run;
    }

    private void drain(EmbeddedChannel client) {
        Object msg;
        while ((msg = client.readInbound()) != null) {
            try {
                check(failure == null, "a message after a failure: " + msg);
                if (msg instanceof HttpRequest request) {
                    onHead(request);
                } else {
                    onContent((HttpContent) msg);
                }
            } catch (AssertionError e) {
                ReferenceCountUtil.release(msg);
                throw e;
            }
        }
    }

    private void onHead(HttpRequest request) {
        check(current == null || current.end != End.CUT_MID_BODY, "a head before the previous body ended");
        heads++;
        if (request.decoderResult().isFailure()) {
            failure = request.decoderResult().cause();
            headFailed = true;
            current = null;
            return;
        }
        current = new Forwarded(request);
        forwarded.add(current);
        Exchange.RequestInfo info = new Exchange.RequestInfo(current.keyInAuthorization, HttpUtil.isKeepAlive(request),
                request.protocolVersion().equals(HttpVersion.HTTP_1_0), HttpMethod.HEAD.equals(request.method()),
                HttpUtil.is100ContinueExpected(request), current.chunked || HttpUtil.getContentLength(request, 0L) > 0,
                current.chunked);
        current.upstream.write(writer.write(current.upstream.alloc().buffer(), request, "acme", info, "10.0.0.9", false,
                REQUEST_ID));
    }

    /** The X-Request-Id the proxy sets on every forwarded request (a client's own is replaced or kept before this). */
    static final String REQUEST_ID = "0123456789abcdef0123456789abcdef";

    private void onContent(HttpContent content) {
        check(current != null && current.end == End.CUT_MID_BODY, "body content without an open request");
        if (content.decoderResult().isFailure()) {
            check(content instanceof LastHttpContent, "a failed content that is not the last");
            failure = content.decoderResult().cause();
            current.end = End.BODY_FAILED;
            content.release();
            return;
        }
        copy(content.content(), current.body);
        if (content instanceof LastHttpContent last) {
            current.trailers = last.trailingHeaders().copy();
            current.end = End.COMPLETE;
        }
        RequestBodyFraming.write(current.upstream, content, current.chunked, writer.trailerFilter()); // takes ownership
    }

    private static byte[] drainOutbound(EmbeddedChannel upstream) {
        upstream.flush();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuf buf;
        while ((buf = upstream.readOutbound()) != null) {
            copy(buf, out);
            buf.release();
        }
        upstream.finishAndReleaseAll();
        return out.toByteArray();
    }

    private static void copy(ByteBuf from, ByteArrayOutputStream to) {
        byte[] bytes = new byte[from.readableBytes()];
        from.getBytes(from.readerIndex(), bytes);
        to.writeBytes(bytes);
    }

    static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }
}
