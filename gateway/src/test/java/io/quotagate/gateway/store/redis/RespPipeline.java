package io.quotagate.gateway.store.redis;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * One Redis connection bound to one event loop, for the per-loop client of {@link PerLoopAdmitBenchmark}: commands
 * are written in RESP2 without a flush, pipelined (any number out at once), and the channel is flushed once per
 * event-loop task that wrote (by a task queued behind it, as {@code AdmitCoalescer} sends its calls); replies are
 * matched to commands in FIFO order, which Redis guarantees on one connection. Confined to its loop: {@link #send}
 * must be called there and every reply completes there. No reconnect, no timeout, no cluster routing: a benchmark
 * client, not a production one.
 */
final class RespPipeline {

    private final EventLoop loop;
    private final Channel channel;
    private final ArrayDeque<CompletableFuture<Object>> waiting = new ArrayDeque<>();
    private final Runnable flush = this::flush;
    private boolean flushScheduled;
    private long flushes;

    private RespPipeline(EventLoop loop, Channel channel) {
        this.loop = loop;
        this.channel = channel;
    }

    /** Connects on {@code loop}; the pipeline is ready when the returned future completes. */
    static CompletableFuture<RespPipeline> connect(EventLoop loop, Class<? extends SocketChannel> channelClass,
                                                   String host, int port) {
        CompletableFuture<RespPipeline> ready = new CompletableFuture<>();
        RespPipeline[] self = new RespPipeline[1];
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true) // as Redisson sets it
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        self[0] = new RespPipeline(loop, ch);
                        ch.pipeline().addLast(new RespReplyDecoder(), self[0].new Replies());
                    }
                });
        bootstrap.connect(host, port).addListener(f -> {
            // On the loop, after initChannel.
            if (f.isSuccess()) {
                ready.complete(self[0]);
            } else {
                ready.completeExceptionally(f.cause());
            }
        });
        return ready;
    }

    /** The last handler: a decoded reply completes the oldest command waiting. */
    private final class Replies extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object reply) {
            replied(reply);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            failAll(new IOException("Redis connection closed"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failAll(cause);
            ctx.close();
        }
    }

    /** Sends one command ({@code args[0]} is its name); its reply completes the future, an error reply fails it. */
    CompletableFuture<Object> send(Object... args) {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("RespPipeline is confined to its event loop");
        }
        CompletableFuture<Object> reply = new CompletableFuture<>();
        if (!channel.isActive()) {
            reply.completeExceptionally(new IOException("Redis connection closed"));
            return reply;
        }
        waiting.add(reply);
        channel.write(encode(channel, args), channel.voidPromise());
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(flush);
        }
        return reply;
    }

    /** Flushes so far (for the report: writes per flush). */
    long flushes() {
        return flushes;
    }

    void close() {
        channel.close().syncUninterruptibly();
    }

    private void flush() {
        flushScheduled = false;
        flushes++;
        channel.flush();
    }

    private void replied(Object reply) {
        CompletableFuture<Object> next = waiting.poll();
        if (next == null) {
            channel.pipeline().fireExceptionCaught(new IllegalStateException("a reply nobody waited for"));
        } else if (reply instanceof RespReplyDecoder.Error e) {
            next.completeExceptionally(new IllegalStateException("Redis: " + e.message()));
        } else {
            next.complete(reply == RespReplyDecoder.NIL ? null : reply);
        }
    }

    private void failAll(Throwable cause) {
        for (CompletableFuture<Object> w; (w = waiting.poll()) != null; ) {
            w.completeExceptionally(cause);
        }
    }

    /** {@code *N $len arg …} in one buffer. */
    private static ByteBuf encode(Channel channel, Object[] args) {
        int size = 16;
        String[] strings = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            strings[i] = String.valueOf(args[i]);
            size += strings[i].length() * 3 + 16;
        }
        ByteBuf out = channel.alloc().ioBuffer(size);
        out.writeByte('*');
        decimal(out, strings.length);
        for (String s : strings) {
            out.writeByte('$');
            decimal(out, ByteBufUtil.utf8Bytes(s));
            ByteBufUtil.writeUtf8(out, s);
            out.writeShort(('\r' << 8) | '\n');
        }
        return out;
    }

    /** {@code n} in decimal, then CRLF. */
    private static void decimal(ByteBuf out, int n) {
        if (n >= 10) {
            int div = 1;
            while (n / div >= 10) {
                div *= 10;
            }
            for (; div > 0; div /= 10) {
                out.writeByte('0' + n / div % 10);
            }
        } else {
            out.writeByte('0' + n);
        }
        out.writeShort(('\r' << 8) | '\n');
    }
}
