package io.quotagate.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;

/**
 * Last handler of an upstream connection's pipeline
 * ({@code [SslHandler] → UpstreamResponseDecoder → HttpRequestEncoder → BackendHandler}): hands the upstream's
 * response (decoded heads, body bytes), its writability and its failures to the {@link Exchange} that currently uses
 * the connection, and owns the connection's response timer and its body idle timer ({@code upstream.idle_timeout}:
 * once the head arrived, the time the exchange waits on the upstream for the next body bytes; it does not run while
 * the exchange holds back because the client is not reading). Between exchanges the connection sits in its
 * {@link UpstreamPool}; anything it receives then is a protocol error and closes it.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {

    private final UpstreamPool pool;
    private final long responseTimeoutNanos;
    private final long idleTimeoutNanos;
    private ChannelHandlerContext ctx;
    private UpstreamResponseDecoder decoder;
    private Exchange exchange;
    private Deadline responseTimer;
    private Deadline bodyIdle;
    private boolean broken;
    private long idleSince;

    BackendHandler(UpstreamPool pool, Duration responseTimeout, Duration idleTimeout) {
        this.pool = pool;
        this.responseTimeoutNanos = responseTimeout.toNanos();
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.decoder = ctx.pipeline().get(UpstreamResponseDecoder.class);
        this.responseTimer = new Deadline(ctx.executor(), this::responseTimedOut);
        this.bodyIdle = new Deadline(ctx.executor(), this::bodyStalled);
    }

    UpstreamPool pool() {
        return pool;
    }

    Channel channel() {
        return ctx.channel();
    }

    void attach(Exchange exchange) {
        this.exchange = exchange;
    }

    void detach() {
        this.exchange = null;
        responseTimer.disarm();
        bodyIdle.disarm();
    }

    /** Tells the decoder what the next response answers (see {@link UpstreamResponseDecoder#expect}). */
    void expectResponse(boolean headRequest, boolean dechunk) {
        decoder.expect(headRequest, dechunk);
    }

    /** (Re)starts the wait for the response head; called as request bytes are written. */
    void awaitResponse() {
        responseTimer.arm(responseTimeoutNanos);
    }

    void responseStarted() {
        responseTimer.disarm();
    }

    /** Asks for more of the response body: the exchange now waits on the upstream. */
    void readBody() {
        bodyIdle.arm(idleTimeoutNanos);
        ctx.channel().read();
    }

    /** The exchange holds back (the client is not taking bytes): not the upstream's time. */
    void pauseBody() {
        bodyIdle.disarm();
    }

    /** Whether the connection may carry another exchange: no protocol error seen, still open, no stray bytes. */
    boolean reusable() {
        return !broken && ctx.channel().isActive() && (decoder == null || !decoder.hasUnreadBytes());
    }

    void markBroken() {
        broken = true;
    }

    long idleSince() {
        return idleSince;
    }

    void idleSince(long nanos) {
        idleSince = nanos;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange current = exchange;
        if (current == null) {
            // Bytes the upstream sent while the connection was idle: not a response to anything we asked.
            ReferenceCountUtil.release(msg);
            broken = true;
            ctx.close();
            return;
        }
        current.onResponse(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Exchange current = exchange;
        if (current != null) {
            current.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange current = exchange;
        if (current != null && ctx.channel().isWritable()) {
            current.onUpstreamWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        broken = true;
        Exchange current = exchange;
        ctx.close();
        if (current != null) {
            current.onUpstreamFailure(cause);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        broken = true;
        responseTimer.cancel();
        bodyIdle.cancel();
        Exchange current = exchange;
        if (current != null) {
            current.onUpstreamFailure(null);
        } else {
            pool.removeIdle(this);
        }
    }

    /** No body bytes within {@code upstream.idle_timeout} while the exchange waited for them: the upstream stalled. */
    private void bodyStalled() {
        Exchange current = exchange;
        if (current != null) {
            broken = true;
            current.onUpstreamFailure(null);
        }
    }

    private void responseTimedOut() {
        Exchange current = exchange;
        if (current != null) {
            current.onResponseTimeout();
        }
    }
}
