package io.quotagate.gateway.testkit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.quotagate.gateway.proxy.Transport;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An in-process HTTP/1.1 upstream on a free loopback port that records every request it receives and answers as
 * the test programs it ({@link UpstreamReply}: status, headers, body, a delay before the head, a streamed body of
 * any size, an abrupt close), optionally pausing its reads after each request head. Thread-safe: the server runs
 * on its own event loop, tests read from theirs.
 */
public final class RecordingUpstream implements AutoCloseable {

    /** Bodies up to this size are kept; larger ones are only counted. */
    public static final int KEEP_BODY_BYTES = 64 * 1024;

    private final EventLoopGroup group;
    /** Accepted connections: {@link #close()} closes them itself, so the peer sees a FIN before close() returns. */
    private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Channel server;
    private final List<RecordedRequest> requests = new ArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicInteger heads = new AtomicInteger();
    private final AtomicInteger truncated = new AtomicInteger();
    private volatile Function<RecordedRequest, UpstreamReply> behaviour = r -> UpstreamReply.ok("{\"ok\":true}");
    private volatile Duration pauseAfterHead = Duration.ZERO;

    private RecordingUpstream() throws InterruptedException {
        Transport transport = Transport.nio();
        group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        server = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        int id = connections.incrementAndGet();
                        children.add(ch);
                        openConnections.incrementAndGet();
                        ch.closeFuture().addListener(f -> openConnections.decrementAndGet());
                        ch.pipeline().addLast(new HttpServerCodec(), new Recorder(id));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    public static RecordingUpstream start() {
        try {
            return new RecordingUpstream();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** How to answer every following request (decided when its head arrived; played after its body, unless early). */
    public void respondWith(Function<RecordedRequest, UpstreamReply> behaviour) {
        this.behaviour = Objects.requireNonNull(behaviour);
    }

    public void respondWith(UpstreamReply reply) {
        respondWith(r -> reply);
    }

    /**
     * Stops reading each connection for {@code pause} after a request head arrived (zero: never), so a request body
     * can only wait meanwhile: in the socket buffers, or in the gateway if it does not hold the client back.
     */
    public void pauseAfterHeads(Duration pause) {
        this.pauseAfterHead = Objects.requireNonNull(pause);
    }

    /** A snapshot of the requests received so far (complete ones: their bodies were fully read). */
    public List<RecordedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public int requestCount() {
        synchronized (requests) {
            return requests.size();
        }
    }

    /** Waits until at least {@code n} requests arrived; returns them, or fails after {@code timeout}. */
    public List<RecordedRequest> awaitRequests(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (requests) {
            while (requests.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + n + " upstream requests, got " + requests.size() + ": " + requests);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(requests, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
            return List.copyOf(requests);
        }
    }

    /** The first request, waiting up to 5 s for it. */
    public RecordedRequest awaitRequest() {
        return awaitRequests(1, Duration.ofSeconds(5)).get(0);
    }

    /** Request heads received, including those of requests whose body never completed. */
    public int headsReceived() {
        return heads.get();
    }

    /** Requests whose body was cut off (the connection closed or the framing broke mid-body); not in {@link #requests()}. */
    public int truncatedRequests() {
        return truncated.get();
    }

    /** Connections accepted since start. */
    public int connectionsAccepted() {
        return connections.get();
    }

    public int openConnections() {
        return openConnections.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        children.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void record(RecordedRequest request) {
        synchronized (requests) {
            requests.add(request);
            requests.notifyAll();
        }
    }

    /** One request as the upstream saw it. */
    public record RecordedRequest(String method, String uri, HttpHeaders headers, long bodyBytes, byte[] body,
                                  Instant arrivedAt, int connection) {

        public String header(String name) {
            return headers.get(name);
        }

        public List<String> headerValues(String name) {
            return headers.getAll(name);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return method + " " + uri + " (" + bodyBytes + " body bytes, connection " + connection + ")";
        }
    }

    /** Per-connection: collects one request at a time, then plays the reply. */
    private final class Recorder extends ChannelInboundHandlerAdapter {
        private final int connection;
        private HttpRequest head;
        private Instant arrived;
        private long bodyBytes;
        private ByteArrayOutputStream body;
        private UpstreamReply reply;

        Recorder(int connection) {
            this.connection = connection;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest request) {
                    heads.incrementAndGet();
                    head = request;
                    arrived = Instant.now();
                    bodyBytes = 0;
                    body = new ByteArrayOutputStream();
                    reply = behaviour.apply(snapshot());
                    pauseReading(ctx);
                    if (reply.isEarly()) {
                        reply.play(ctx, head);
                    }
                }
                if (msg instanceof HttpContent content && head != null && content.decoderResult().isFailure()) {
                    truncated.incrementAndGet();
                    head = null;
                    ctx.close();
                    return;
                }
                if (msg instanceof HttpContent content && head != null) {
                    ByteBuf buf = content.content();
                    bodyBytes += buf.readableBytes();
                    int keep = (int) Math.min(buf.readableBytes(), Math.max(0, KEEP_BODY_BYTES - body.size()));
                    if (keep > 0) {
                        byte[] bytes = new byte[keep];
                        buf.getBytes(buf.readerIndex(), bytes);
                        body.write(bytes, 0, keep);
                    }
                    if (content instanceof LastHttpContent) {
                        RecordedRequest done = snapshot();
                        record(done);
                        HttpRequest request = head;
                        head = null;
                        if (!reply.isEarly()) {
                            reply.play(ctx, request);
                        }
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void pauseReading(ChannelHandlerContext ctx) {
            Duration pause = pauseAfterHead;
            if (!pause.isZero()) {
                ctx.channel().config().setAutoRead(false);
                ctx.executor().schedule(() -> ctx.channel().config().setAutoRead(true), pause.toNanos(), TimeUnit.NANOSECONDS);
            }
        }

        private RecordedRequest snapshot() {
            HttpHeaders copy = new DefaultHttpHeaders().add(head.headers());
            return new RecordedRequest(head.method().name(), head.uri(), copy, bodyBytes, body.toByteArray(), arrived, connection);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (head != null) {
                truncated.incrementAndGet(); // closed before the request's end: Netty's decoder emits nothing for that
                head = null;
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** A body of {@code n} bytes without allocating it: the same 64 KiB block, repeated. */
    static ByteBuf block() {
        return BLOCK.duplicate();
    }

    private static final ByteBuf BLOCK = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(64 * 1024).writeBytes(new byte[64 * 1024]).asReadOnly());
}
