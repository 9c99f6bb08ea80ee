package io.quotagate.gateway.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.quotagate.gateway.admission.Decision;
import io.quotagate.gateway.admission.RejectionCode;
import java.util.concurrent.TimeUnit;

/**
 * Last handler (after TLS and a response encoder) of a connection over a {@link ConnectionLimits} cap: answers
 * {@code 503 too_many_connections} with {@code Retry-After: 1} at once, without waiting for or parsing a request,
 * and closes. On plain TCP the output is shut after the answer and input dropped until the client closes or
 * {@link #LINGER_MILLIS} passes: closing with unread request bytes would make the kernel reset the connection,
 * which can destroy the answer before the client read it.
 */
final class RefusedConnectionHandler extends ChannelInboundHandlerAdapter {

    static final long LINGER_MILLIS = 1_000;

    private static final Decision.Rejected REFUSAL = new Decision.Rejected(RejectionCode.TOO_MANY_CONNECTIONS,
            RejectionCode.TOO_MANY_CONNECTIONS.defaultMessage(), null, 1, null, null);

    private final boolean tls;

    RefusedConnectionHandler(boolean tls) {
        this.tls = tls;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(true); // drain whatever the client sends
        ctx.writeAndFlush(ErrorResponses.of(ctx.alloc(), REFUSAL, true)).addListener(f -> {
            if (f.isSuccess() && !tls && ctx.channel() instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
                ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                ctx.close();
            }
        });
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
