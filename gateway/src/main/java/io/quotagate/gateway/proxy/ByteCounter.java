package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Counts the bytes read from and written to a client connection (after TLS, before the HTTP codec), so the access
 * log can write each request's bytes in and out as the difference between two readings. Only in the pipeline when
 * the access log is on. One per connection; touched only on its event loop.
 */
final class ByteCounter extends ChannelDuplexHandler {

    private long in;
    private long out;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        in += size(msg);
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        out += size(msg);
        ctx.write(msg, promise);
    }

    long in() {
        return in;
    }

    long out() {
        return out;
    }

    private static long size(Object msg) {
        if (msg instanceof ByteBuf buf) {
            return buf.readableBytes();
        }
        return msg instanceof ByteBufHolder holder ? holder.content().readableBytes() : 0;
    }
}
