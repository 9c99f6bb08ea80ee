package io.quotagate.gateway.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.quotagate.gateway.admission.RejectionCode;

/**
 * After the {@link OnDemandReader}: enforces {@code server.max_body}. A request that declares a larger
 * Content-Length is marked failed with {@code payload_too_large} before any of its body is read, so
 * {@link FrontendHandler} answers 413 without ever sending {@code 100 Continue} (that interim response is sent
 * by the frontend, and only after admission admitted the request). A chunked body is counted as it streams; the
 * chunk that crosses the limit is replaced by a failed content message, which makes the frontend abort the
 * upstream exchange and answer 413 if it still can.
 *
 * <p>It never drops a message: the frontend asks for one message at a time, and a swallowed message would leave
 * that demand unanswered.
 */
final class BodyLimitHandler extends ChannelInboundHandlerAdapter {

    private static final RejectedRequestException TOO_LARGE =
            new RejectedRequestException(RejectionCode.PAYLOAD_TOO_LARGE, "body larger than server.max_body");

    private final long maxBody;
    private boolean counting;
    private long received;

    BodyLimitHandler(long maxBody) {
        this.maxBody = maxBody;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            counting = false;
            if (request.decoderResult().isSuccess()) {
                checkHead(request);
            }
        } else if (counting && msg instanceof HttpContent content && content.decoderResult().isSuccess()) {
            received += content.content().readableBytes();
            if (received > maxBody) {
                counting = false;
                boolean last = content instanceof LastHttpContent;
                content.release();
                HttpContent failed = last ? new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER)
                        : new DefaultHttpContent(Unpooled.EMPTY_BUFFER);
                failed.setDecoderResult(DecoderResult.failure(TOO_LARGE));
                msg = failed;
            } else if (content instanceof LastHttpContent) {
                counting = false;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void checkHead(HttpRequest request) {
        if (request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (HttpUtil.getContentLength(request, 0L) > maxBody) {
                request.setDecoderResult(DecoderResult.failure(TOO_LARGE));
            }
        } else if (HttpUtil.isTransferEncodingChunked(request)) {
            counting = true;
            received = 0;
        }
    }
}
