package io.quotagate.gateway.proxy;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Between the request checks and the {@link FrontendHandler}: hands decoded messages on one at a time, when the
 * frontend asks ({@link #demand()}), so pipelined requests are processed in order and a body is read only as
 * fast as the upstream takes it. Messages decoded before they were asked for wait here.
 *
 * <p>It replaces Netty's {@code FlowControlHandler} with {@code AUTO_READ} off, which cost every request a
 * {@code read()} trip down the pipeline for its head and another for its body, plus a re-issued read at the end
 * of every socket read cycle. Here the socket keeps read interest while at most one message waits (an idle
 * connection, or the end of a request whose admission is pending: no toggling in the common case) and stops
 * reading once a second one queues up (a pipelining client, or a body the upstream is not taking yet), so what
 * is held is one waiting message plus what one socket read decoded.
 */
final class OnDemandReader extends ChannelInboundHandlerAdapter {

    /** More waiting messages than this stop socket reads until the frontend catches up. */
    private static final int MAX_WAITING_WHILE_READING = 1;

    private final ArrayDeque<Object> waiting = new ArrayDeque<>(4);
    private ChannelHandlerContext ctx;
    private boolean wanted;
    private boolean delivering;
    private boolean discardAll;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            updateAutoRead();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        updateAutoRead();
    }

    /** The frontend is ready for the next message: delivers a waiting one now, or the next one decoded. */
    void demand() {
        wanted = true;
        drain();
    }

    /**
     * From now on every message is released here, and the socket is read to the end (a closing connection
     * drains input so that unread bytes do not make the kernel reset it).
     */
    void discardAll() {
        discardAll = true;
        wanted = false;
        releaseWaiting();
        ctx.channel().config().setAutoRead(true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (discardAll) {
            ReferenceCountUtil.release(msg);
            return;
        }
        waiting.add(msg);
        drain();
    }

    private void drain() {
        if (delivering) {
            return; // a demand() from inside a delivery: the loop below delivers the next message
        }
        delivering = true;
        try {
            while (wanted && !waiting.isEmpty() && !discardAll) {
                wanted = false;
                ctx.fireChannelRead(waiting.poll());
            }
        } finally {
            delivering = false;
        }
        updateAutoRead();
    }

    private void updateAutoRead() {
        if (discardAll) {
            return;
        }
        ChannelConfig config = ctx.channel().config();
        boolean read = waiting.size() <= MAX_WAITING_WHILE_READING;
        if (config.isAutoRead() != read) {
            config.setAutoRead(read);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseWaiting();
    }

    private void releaseWaiting() {
        Object msg;
        while ((msg = waiting.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
