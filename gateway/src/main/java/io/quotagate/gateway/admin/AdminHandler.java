package io.quotagate.gateway.admin;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last in the admin pipeline, after the HTTP codec and the 64 KB aggregator: hands each whole request to the
 * {@link AdminDispatcher} and writes its answer on the channel's event loop, in request order (pipelined requests
 * may finish out of order). One instance per connection: it holds that ordering.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

    private final AdminDispatcher dispatcher;
    /** Completes when the previous response of this connection was written. Only touched on the event loop. */
    private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);

    AdminHandler(AdminDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            write(ctx, AdminResponse.error(400, "bad_request", "malformed HTTP request"), false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        CompletionStage<AdminResponse> answer;
        try {
            answer = dispatcher.dispatch(client(ctx), request.method().name(), uri.path(), uri.parameters(),
                    request.headers().get(HttpHeaderNames.AUTHORIZATION), ByteBufUtil.getBytes(request.content()));
        } catch (IllegalArgumentException e) {
            // e.g. a malformed percent-escape in the path
            answer = CompletableFuture.completedFuture(AdminResponse.error(400, "bad_request", e.getMessage()));
        }
        CompletableFuture<Void> turn = previous;
        CompletableFuture<Void> written = new CompletableFuture<>();
        previous = written;
        turn.thenCombine(answer, (ignored, response) -> response).whenCompleteAsync((response, error) -> {
            write(ctx, error == null ? response : Outcomes.failure(error), keepAlive);
            written.complete(null);
        }, ctx.executor());
    }

    /** The peer's address; loopback for a channel without one (an in-process channel in a test). */
    private static InetAddress client(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress peer && peer.getAddress() != null
                ? peer.getAddress() : InetAddress.getLoopbackAddress();
    }

    private static void write(ChannelHandlerContext ctx, AdminResponse answer, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length)
                // Responses may carry a new API key, shown once: nothing may keep a copy.
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        answer.headers().forEach(response.headers()::set);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("admin connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
