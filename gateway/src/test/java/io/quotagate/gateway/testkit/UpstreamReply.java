package io.quotagate.gateway.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@link RecordingUpstream} answers to one request. Immutable; the "with" methods return copies.
 * A streamed body ({@link #streaming}) is written with backpressure and never held in memory.
 */
public final class UpstreamReply {

    private final int status;
    private final Map<String, String> headers;
    private final byte[] body;
    private final long streamBytes;
    private final boolean chunked;
    private final Duration delay;
    private final long abortAfterBytes;
    private final boolean hangUp;
    private final boolean close;
    private final boolean early;
    private final boolean stall;

    private UpstreamReply(int status, Map<String, String> headers, byte[] body, long streamBytes, boolean chunked,
                          Duration delay, long abortAfterBytes, boolean hangUp, boolean close, boolean early) {
        this(status, headers, body, streamBytes, chunked, delay, abortAfterBytes, hangUp, close, early, false);
    }

    private UpstreamReply(int status, Map<String, String> headers, byte[] body, long streamBytes, boolean chunked,
                          Duration delay, long abortAfterBytes, boolean hangUp, boolean close, boolean early,
                          boolean stall) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.streamBytes = streamBytes;
        this.chunked = chunked;
        this.delay = delay;
        this.abortAfterBytes = abortAfterBytes;
        this.hangUp = hangUp;
        this.close = close;
        this.early = early;
        this.stall = stall;
    }

    public static UpstreamReply status(int status) {
        return new UpstreamReply(status, Map.of(), new byte[0], -1, false, Duration.ZERO, -1, false, false, false);
    }

    /** 200 with a JSON body. */
    public static UpstreamReply ok(String json) {
        return status(200).header("Content-Type", "application/json").body(json);
    }

    /** Closes the connection instead of answering. */
    public static UpstreamReply hangUp() {
        UpstreamReply r = status(0);
        return new UpstreamReply(0, r.headers, r.body, -1, false, Duration.ZERO, -1, true, false, false);
    }

    public UpstreamReply header(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new UpstreamReply(status, Map.copyOf(h), body, streamBytes, chunked, delay, abortAfterBytes, hangUp, close, early);
    }

    public UpstreamReply body(String text) {
        return new UpstreamReply(status, headers, text.getBytes(StandardCharsets.UTF_8), -1, chunked, delay, abortAfterBytes, hangUp, close, early);
    }

    /** A body of {@code bytes} generated on the fly (zeros), with Content-Length unless {@link #chunked()}. */
    public UpstreamReply streaming(long bytes) {
        return new UpstreamReply(status, headers, body, bytes, chunked, delay, abortAfterBytes, hangUp, close, early);
    }

    /** Transfer-Encoding: chunked instead of Content-Length. */
    public UpstreamReply chunked() {
        return new UpstreamReply(status, headers, body, streamBytes, true, delay, abortAfterBytes, hangUp, close, early);
    }

    /** Waits this long before sending the head. */
    public UpstreamReply delay(Duration d) {
        return new UpstreamReply(status, headers, body, streamBytes, chunked, d, abortAfterBytes, hangUp, close, early);
    }

    /** Sends the head and this many body bytes of the declared body, then closes the connection. */
    public UpstreamReply abortAfter(long bytes) {
        return new UpstreamReply(status, headers, body, streamBytes, chunked, delay, bytes, hangUp, close, early);
    }

    /** Sends the head and {@code bytes} of the body, then nothing more, keeping the connection open (a stall); call it last. */
    public UpstreamReply stallAfter(long bytes) {
        return new UpstreamReply(status, headers, body, streamBytes, chunked, delay, bytes, hangUp, close, early, true);
    }

    /** Answers with {@code Connection: close} and closes after the response. */
    public UpstreamReply closeConnection() {
        return new UpstreamReply(status, headers, body, streamBytes, chunked, delay, abortAfterBytes, hangUp, true, early);
    }

    /** Answers as soon as the request head arrived, before reading the body. */
    public UpstreamReply beforeBody() {
        return new UpstreamReply(status, headers, body, streamBytes, chunked, delay, abortAfterBytes, hangUp, close, true);
    }

    boolean isEarly() {
        return early;
    }

    void play(ChannelHandlerContext ctx, HttpRequest request) {
        if (delay.isZero()) {
            send(ctx, request);
        } else {
            ctx.executor().schedule(() -> send(ctx, request), delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void send(ChannelHandlerContext ctx, HttpRequest request) {
        if (hangUp) {
            ctx.close();
            return;
        }
        long length = streamBytes >= 0 ? streamBytes : body.length;
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        headers.forEach(head.headers()::set);
        if (chunked) {
            HttpUtil.setTransferEncodingChunked(head, true);
        } else {
            head.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        boolean closeAfter = close || !HttpUtil.isKeepAlive(request);
        if (closeAfter) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.write(head);
        if (streamBytes >= 0 || abortAfterBytes >= 0) {
            new Streamer(ctx, abortAfterBytes >= 0 ? Math.min(abortAfterBytes, length) : length, abortAfterBytes >= 0, closeAfter,
                    stall).run();
            return;
        }
        var done = ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(body)));
        if (closeAfter) {
            done.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Writes a long body in 64 KiB blocks, continuing whenever the channel becomes writable again. */
    private static final class Streamer implements Runnable {
        private final ChannelHandlerContext ctx;
        private final boolean abort;
        private final boolean close;
        private final boolean stall;
        private long left;

        Streamer(ChannelHandlerContext ctx, long bytes, boolean abort, boolean close, boolean stall) {
            this.ctx = ctx;
            this.left = bytes;
            this.abort = abort;
            this.close = close;
            this.stall = stall;
        }

        @Override
        public void run() {
            io.netty.channel.ChannelFuture last = null;
            while (left > 0 && (last == null || ctx.channel().isWritable())) {
                ByteBuf block = RecordingUpstream.block();
                int n = (int) Math.min(left, block.readableBytes());
                left -= n;
                last = ctx.write(new DefaultHttpContent(block.slice(block.readerIndex(), n)));
            }
            if (left > 0) {
                ctx.flush();
                last.addListener(f -> {
                    if (f.isSuccess()) {
                        run(); // the outbound buffer drained below this write: continue
                    }
                });
                return;
            }
            if (abort) {
                ctx.flush();
                if (!stall) {
                    ctx.close();
                }
                return;
            }
            var done = ctx.writeAndFlush(new DefaultLastHttpContent());
            if (close) {
                done.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
