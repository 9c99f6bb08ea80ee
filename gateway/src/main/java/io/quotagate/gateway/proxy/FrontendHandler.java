package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.quotagate.gateway.admission.AdmissionRequest;
import io.quotagate.gateway.admission.Decision;
import io.quotagate.gateway.admission.RejectionCode;
import io.quotagate.gateway.admission.UpstreamOutcome;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.quota.QuotaReply;
import io.quotagate.gateway.metrics.RequestCounters;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of a client pipeline: takes one message at a time from the {@link OnDemandReader} (it asks for
 * each with {@link #readNext()}), asks admission about a request's head, and then either answers with
 * {@link ErrorResponses} or hands the request to an {@link Exchange} with a connection from this event loop's
 * {@link UpstreamPool}; a quota read ({@code GET /v1/quota}) is answered from {@link io.quotagate.gateway.quota.QuotaReads}
 * and never forwarded. The next request is read only when the previous response was written, so pipelined
 * requests are answered in order. Admission may complete on another thread; its decision is processed back on
 * this channel's event loop.
 *
 * <p>It also runs the connection's {@link BodyTimer} ({@code server.body_timeout}): every request body it reads,
 * forwarded or discarded, is asked for here ({@link #readNext()}) and arrives here, so this is where "the gateway
 * waits on the client for body bytes" is known.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {

    /** Sent through a client pipeline when the gateway stops: finish the current exchange, then close. */
    static final Object SHUTDOWN = new Object();

    private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);
    private static final long LINGER_MILLIS = 2_000;

    private enum Mode { AWAITING_HEAD, ADMITTING, EXCHANGING, DISCARDING, CLOSING }

    private final ProxyContext px;
    private final HeadBuffer requestHeads = new HeadBuffer(1024);
    private final HeadBuffer responseHeads = new HeadBuffer(512);
    private final RequestCounters.Cached requestCounts;
    private ChannelHandlerContext ctx;
    private OnDemandReader reader;
    private StrictServerCodec codec;
    private ClientTimeoutHandler timeouts;
    private BodyTimer bodyTimer;
    private UpstreamPool pool;
    private String peer;
    private Mode mode = Mode.AWAITING_HEAD;
    private Exchange exchange;
    private boolean keepAlive;
    private boolean shuttingDown;
    private boolean closed;
    private long headNanos;
    /** The current request's X-Request-Id, and what its access log line needs. */
    private String requestId;
    private final AccessLine line = new AccessLine();

    FrontendHandler(ProxyContext px) {
        this.px = px;
        this.requestCounts = px.metrics().connectionRequests();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.reader = ctx.pipeline().get(OnDemandReader.class);
        this.codec = ctx.pipeline().get(StrictServerCodec.class);
        this.timeouts = ctx.pipeline().get(ClientTimeoutHandler.class);
        this.bodyTimer = new BodyTimer(ctx.executor(), px.server().bodyTimeout(), this::bodyTimedOut);
        line.attach(ctx.pipeline().get(ByteCounter.class));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        pool = px.pools().forLoop(ctx.channel().eventLoop());
        peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "unknown";
        readNext();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (mode) {
            case AWAITING_HEAD -> {
                if (msg instanceof HttpRequest request) {
                    onHead(request);
                } else {
                    ReferenceCountUtil.release(msg);
                    readNext();
                }
            }
            case EXCHANGING -> {
                if (msg instanceof HttpContent content) {
                    bodyArrived(content);
                    exchange.forwardBody(content);
                } else {
                    ReferenceCountUtil.release(msg);
                }
            }
            case DISCARDING -> discard(msg);
            default -> ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(HttpRequest request) {
        headNanos = System.nanoTime();
        requestId = RequestIdHeader.of(request.headers());
        line.start(px.accessLog().enabled(), request);
        if (request.decoderResult().isFailure()) {
            keepAlive = false;
            reject(ErrorResponses.rejectionFor(request.decoderResult().cause()), true);
            return;
        }
        String bearer = KeyHeaders.bearer(request.headers());
        String key = bearer != null ? bearer : KeyHeaders.header(request.headers());
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        boolean hasBody = chunked || HttpUtil.getContentLength(request, 0L) > 0;
        keepAlive = HttpUtil.isKeepAlive(request);
        Exchange.RequestInfo info = new Exchange.RequestInfo(bearer != null, keepAlive,
                request.protocolVersion().equals(HttpVersion.HTTP_1_0), HttpMethod.HEAD.equals(request.method()),
                HttpUtil.is100ContinueExpected(request), hasBody, chunked);
        mode = Mode.ADMITTING;
        String path = rawPath(request.uri());
        if (px.quota() != null && px.quota().handles(request.method().name(), path)) {
            readQuota(key, info);
            return;
        }
        CompletableFuture<Decision> decision = px.admission()
                .admit(new AdmissionRequest(request.method().name(), path, key), ctx.channel().eventLoop())
                .toCompletableFuture();
        if (decision.isDone()) {
            onDecision(request, info, decision.isCompletedExceptionally() ? storeUnavailable() : decision.getNow(null));
        } else {
            decision.whenComplete((d, error) -> decided(request, info, error != null ? storeUnavailable() : d));
        }
    }

    /** A decision that came from another thread: handled on the connection's event loop, if it still runs. */
    private void decided(HttpRequest request, Exchange.RequestInfo info, Decision decision) {
        if (ctx.executor().inEventLoop()) {
            onDecision(request, info, decision); // admission completed it on this loop already
            return;
        }
        try {
            ctx.executor().execute(() -> onDecision(request, info, decision));
        } catch (RejectedExecutionException stopped) {
            // The event loops stopped (shutdown) before the store answered: the request is never sent.
            if (decision instanceof Decision.Admitted admitted && admitted.needsSettlement()) {
                px.admission().settle(admitted, UpstreamOutcome.NOT_SENT);
            }
        }
    }

    private void onDecision(HttpRequest request, Exchange.RequestInfo info, Decision decision) {
        if (closed) {
            if (decision instanceof Decision.Admitted admitted && admitted.needsSettlement()) {
                px.admission().settle(admitted, UpstreamOutcome.NOT_SENT);
            }
            return;
        }
        if (decision instanceof Decision.Rejected rejected) {
            reject(rejected, info.expectContinue() && info.hasBody());
            return;
        }
        mode = Mode.EXCHANGING;
        exchange = new Exchange(this, ctx, px.admission(), (Decision.Admitted) decision, request, info,
                px.server().bodyBuffer());
        bodyTimer.start();
        exchange.start();
    }

    /** A quota read: answered here from the store's one read, never forwarded (its body, if any, is discarded). */
    private void readQuota(String key, Exchange.RequestInfo info) {
        CompletableFuture<QuotaReply> reply = px.quota().read(key).toCompletableFuture();
        if (reply.isDone()) {
            onQuotaReply(reply.isCompletedExceptionally() ? new QuotaReply.Refused(storeUnavailable()) : reply.getNow(null), info);
            return;
        }
        reply.whenComplete((r, error) -> {
            try {
                ctx.executor().execute(() -> onQuotaReply(error != null ? new QuotaReply.Refused(storeUnavailable()) : r, info));
            } catch (RejectedExecutionException stopped) {
                // The event loops stopped: nothing to answer, nothing to settle.
            }
        });
    }

    private void onQuotaReply(QuotaReply reply, Exchange.RequestInfo info) {
        if (closed) {
            return;
        }
        boolean close = info.expectContinue() && info.hasBody() || !keepAlive || shuttingDown;
        ctx.writeAndFlush(QuotaResponses.of(ctx.alloc(), reply, close));
        px.metrics().requestDuration(System.nanoTime() - headNanos);
        afterResponse(close, true);
    }

    /** Answers the current request with an error; its body (if any) is then discarded or the connection closed. */
    private void reject(Decision.Rejected rejected, boolean mustClose) {
        boolean close = mustClose || !keepAlive || shuttingDown || ErrorResponses.closesConnection(rejected.code());
        ctx.writeAndFlush(withRequestId(ErrorResponses.of(ctx.alloc(), rejected, close)));
        px.metrics().addedDuration(System.nanoTime() - headNanos);
        count(rejected.group(), rejected.code().wire(), rejected.tenantId(), rejected.code().status(), null);
        afterResponse(close, true);
    }

    private void discard(Object msg) {
        if (msg instanceof HttpContent content) {
            bodyArrived(content);
        }
        boolean failed = msg instanceof HttpContent content && content.decoderResult().isFailure();
        boolean last = msg instanceof LastHttpContent;
        ReferenceCountUtil.release(msg);
        if (failed) {
            closeGracefully(); // the rest of the stream cannot be framed
        } else if (last) {
            afterResponse(false, false);
        } else {
            readNext();
        }
    }

    /** The current exchange relayed a whole response. */
    void exchangeEnded(boolean closeClient) {
        if (timeouts != null) {
            timeouts.relayedResponseEnded();
        }
        countForwarded();
        exchange = null;
        ctx.flush();
        afterResponse(closeClient, false);
    }

    /**
     * The current exchange failed before any of its response was sent; answer with {@code code}.
     *
     * @param requestRead whether the request's last content was already read
     * @param hasBody     whether the request declared a body (unread body bytes force a close)
     */
    void exchangeFailed(RejectionCode code, boolean requestRead, boolean hasBody) {
        Exchange failed = exchange;
        exchange = null;
        boolean close = (!requestRead && hasBody) || !keepAlive || shuttingDown || ErrorResponses.closesConnection(code);
        ctx.writeAndFlush(withRequestId(ErrorResponses.of(ctx.alloc(), code, close)));
        if (failed != null) {
            Decision.Admitted admitted = failed.decision();
            count(admitted.route().group().name(), code.wire(), admitted.tenantId(), code.status(), failed);
        }
        afterResponse(close, !requestRead);
    }

    /** Part of a response was sent and the rest cannot be: only closing tells the client. */
    void abortConnection() {
        countForwarded(); // forwarded, and the upstream failed mid-response
        exchange = null;
        mode = Mode.CLOSING;
        ctx.close();
    }

    private void afterResponse(boolean close, boolean requestBodyUnread) {
        bodyTimer.stop();
        if (close || shuttingDown) {
            closeGracefully();
        } else if (requestBodyUnread) {
            mode = Mode.DISCARDING; // up to and including the request's LastHttpContent
            bodyTimer.start(); // a discarded body too must keep coming, or the connection is closed
            readNext();
        } else {
            mode = Mode.AWAITING_HEAD;
            readNext();
        }
    }

    /**
     * Closes after the queued responses are written. On plain TCP the output is shut first and input drained for
     * a moment: closing with unread request bytes would make the kernel send RST, which can destroy the response
     * before the client read it.
     */
    private void closeGracefully() {
        if (mode == Mode.CLOSING) {
            return;
        }
        mode = Mode.CLOSING;
        Channel channel = ctx.channel();
        if (!(channel instanceof DuplexChannel duplex) || px.serverSsl() != null) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        reader.discardAll();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (f.isSuccess()) {
                duplex.shutdownOutput();
                ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                ctx.close();
            }
        });
    }

    /** Ready for the next message of the client (a request head, or the next piece of the current body). */
    void readNext() {
        if (mode != Mode.CLOSING && !closed) {
            if (mode == Mode.EXCHANGING || mode == Mode.DISCARDING) {
                bodyTimer.waiting(); // before demand(): a piece already decoded arrives inside it
            }
            reader.demand();
        }
    }

    private void bodyArrived(HttpContent content) {
        bodyTimer.received(content.content().readableBytes());
        if (content instanceof LastHttpContent) {
            bodyTimer.stop();
        }
    }

    /** {@code server.body_timeout}: the client stopped sending its body (or trickles it). */
    private void bodyTimedOut() {
        if (mode == Mode.EXCHANGING && exchange != null) {
            exchange.onBodyTimeout(); // 408 when nothing of the response was sent yet, then close
        } else if (mode == Mode.DISCARDING) {
            closeGracefully();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.flushUpstream();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null && ctx.channel().isWritable()) {
            exchange.onClientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == SHUTDOWN) {
            shuttingDown = true;
            if (mode == Mode.AWAITING_HEAD) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        mode = Mode.CLOSING;
        bodyTimer.cancel();
        Exchange current = exchange;
        exchange = null;
        if (current != null) {
            current.onClientClosed();
        }
        requestHeads.release();
        responseHeads.release();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection {} failed", ctx.channel(), cause);
        ctx.close();
    }

    private void countForwarded() {
        if (exchange != null) {
            Decision.Admitted admitted = exchange.decision();
            count(admitted.route().group().name(), GatewayMetrics.FORWARDED, admitted.tenantId(), exchange.status(), exchange);
        }
    }

    /** Where every answered request ends: its metrics and its access log line. */
    private void count(String group, String outcome, String tenant, int status, Exchange ended) {
        requestCounts.count(group, outcome, tenant);
        long total = System.nanoTime() - headNanos;
        px.metrics().requestDuration(total);
        if (line.active()) {
            px.accessLog().log(line.record(requestId, tenant, group, ended == null ? null : ended.decision(), status,
                    outcome, ended == null ? 0 : ended.refunded(), total, peer));
        }
    }

    private FullHttpResponse withRequestId(FullHttpResponse response) {
        response.headers().set(ForwardingHeaders.X_REQUEST_ID, requestId != null ? requestId : RequestIdHeader.generate());
        return response;
    }

    /** The current request's X-Request-Id (for the relayed response head). */
    String requestId() {
        return requestId;
    }

    // --- for Exchange -----------------------------------------------------------------------------------------

    ByteBuf upstreamHead(HttpRequest head, Decision.Admitted decision, Exchange.RequestInfo info) {
        px.metrics().addedDuration(System.nanoTime() - headNanos); // forwarded now: what the gateway added ends here
        return px.requestWriter().write(requestHeads.take(ctx.alloc()), head, decision.tenantId(), info, peer,
                px.serverSsl() != null, requestId);
    }

    Predicate<CharSequence> trailerFilter() {
        return px.requestWriter().trailerFilter();
    }

    /** A buffer for the head of the response the current exchange relays. */
    ByteBuf responseHeadBuffer() {
        return responseHeads.take(ctx.alloc());
    }

    /** The current exchange starts writing a relayed (pre-encoded) final response. */
    void relayingResponse() {
        if (codec != null) {
            codec.relayedResponse();
        }
    }

    void upstreamAnswered(long nanos) {
        px.metrics().upstreamDuration(nanos);
        line.upstreamAnswered(nanos);
    }

    void acquire(Exchange waiting) {
        pool.acquire(waiting);
    }

    boolean cancelAcquire(Exchange waiting) {
        return pool.cancel(waiting);
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    static FullHttpResponse continueResponse() {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER);
    }

    private static Decision.Rejected storeUnavailable() {
        return Decision.Rejected.of(RejectionCode.QUOTA_STORE_UNAVAILABLE);
    }

    private static String rawPath(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }
}
