package io.quotagate.gateway.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;

/**
 * Client-side timeouts, right after the HTTP codec. A connection with no request in flight that stays silent
 * for {@code idleTimeout} is closed; once the first bytes of a request head have arrived, the whole head must
 * arrive within {@code headerTimeout} (a slow-loris defence). While a request is in flight neither applies:
 * the upstream's response timeout governs then.
 *
 * <p>{@code writeIdle} is the client's share of "who is the exchange waiting on" while a response streams: a
 * connection that stays unwritable (Netty's outbound buffer above its high-water mark, so the proxy stopped reading
 * the upstream) that long belongs to a client that stopped reading, and is closed. The {@link FrontendHandler} then
 * settles the exchange by the status already received (the upstream answered; the client chose not to read) and
 * closes the upstream connection. A stalled upstream is the other share: {@code upstream.idle_timeout}, in
 * {@link BackendHandler}.
 *
 * <p>Sitting after the codec, it sees decoded heads and also every socket read (the decoder passes
 * {@code channelReadComplete} on even when no message was complete yet), which is how it notices a head that
 * has started but not finished. Requests and final responses are counted so that pipelined requests keep the
 * connection "in flight" until the last response was written. A response the proxy encodes ends with a
 * {@code LastHttpContent}; a relayed one is raw bytes, so the {@link FrontendHandler} reports its end with
 * {@link #relayedResponseEnded()}.
 */
final class ClientTimeoutHandler extends ChannelDuplexHandler {

    private final long idleNanos;
    private final long headerNanos;
    private final long writeIdleNanos;
    private long requests;
    private long responses;
    private Deadline idle;
    private Deadline header;
    private Deadline writeIdle;

    ClientTimeoutHandler(Duration idleTimeout, Duration headerTimeout, Duration writeIdle) {
        this.idleNanos = idleTimeout.toNanos();
        this.headerNanos = headerTimeout.toNanos();
        this.writeIdleNanos = writeIdle.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        idle = new Deadline(ctx.executor(), () -> ctx.close());
        header = new Deadline(ctx.executor(), () -> ctx.close());
        writeIdle = new Deadline(ctx.executor(), () -> ctx.close());
        if (ctx.channel().isActive()) {
            idle.arm(idleNanos);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        idle.arm(idleNanos);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            requests++;
            header.disarm();
            idle.disarm();
        } else if (idle.isArmed()) {
            // Body bytes of a request whose response was already sent (an early error answer): still activity.
            idle.arm(idleNanos);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (requests == responses && !header.isArmed()) {
            // Bytes arrived between requests but no head is complete yet: the head timer starts now.
            idle.disarm();
            header.arm(headerNanos);
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            writeIdle.disarm();
        } else {
            writeIdle.arm(writeIdleNanos);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent && !isInterim(msg)) {
            responseEnded();
        }
        ctx.write(msg, promise);
    }

    /** The last bytes of a relayed (pre-encoded) final response were written. */
    void relayedResponseEnded() {
        responseEnded();
    }

    private void responseEnded() {
        responses++;
        if (requests <= responses) {
            idle.arm(idleNanos);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        idle.cancel();
        header.cancel();
        writeIdle.cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        idle.cancel();
        header.cancel();
        writeIdle.cancel();
    }

    private static boolean isInterim(Object msg) {
        return msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }
}
