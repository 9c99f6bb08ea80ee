package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.quotagate.gateway.admission.Admission;
import io.quotagate.gateway.admission.Decision;
import io.quotagate.gateway.admission.RejectionCode;
import io.quotagate.gateway.admission.UpstreamOutcome;

/**
 * One admitted request and its response, from the moment an upstream connection is wanted until the response
 * was relayed (or the attempt failed). It streams the request body upstream and the response back, each with
 * backpressure (read the side that is ahead only when the other side is writable), and it settles the admission
 * decision exactly once. All methods run on the client channel's event loop, which is also the upstream's.
 *
 * <p>Retries: never. Once an upstream connection was handed to the exchange, the request is written at most
 * once; a pooled connection found closed before use is dropped by {@link UpstreamPool#acquire} without
 * writing, so no request is ever sent twice.
 *
 * <p>Settlement comes when the attempt ends, not at the response head: a response relayed to its end settles by
 * its status; an upstream that fails after its head, leaving the client a truncated response, ends in a
 * transport error and is refunded (rule 9).
 * A client that leaves after its request was fully sent does not cancel the upstream attempt: the proxy
 * waits for the response head to learn the outcome to settle (an upstream may have done paid work), then
 * closes the upstream connection; a client that leaves mid-response settles by the status it was being sent.
 * A client that leaves mid-body aborts the attempt (the upstream got a truncated request; {@code TRANSPORT_ERROR}).
 */
final class Exchange implements UpstreamPool.Waiter {

    private final FrontendHandler frontend;
    private final ChannelHandlerContext client;
    private final Admission admission;
    private final Decision.Admitted decision;
    private final RequestInfo info;
    private HttpRequest head;
    private BackendHandler backend;
    private boolean requestDone;
    private boolean responseHead;
    private int responseStatus;
    private boolean responseStarted;
    private boolean closeClient;
    private boolean rechunk;
    private boolean upstreamKeepAlive;
    private boolean settled;
    private int refunded;
    private boolean clientGone;
    private boolean finished;
    private long forwardedNanos;

    /** What the exchange needs to know about the client's request besides its head. */
    record RequestInfo(boolean keyInAuthorization, boolean keepAlive, boolean http10, boolean headMethod,
                       boolean expectContinue, boolean hasBody, boolean chunked) {
    }

    Exchange(FrontendHandler frontend, ChannelHandlerContext client, Admission admission, Decision.Admitted decision,
             HttpRequest head, RequestInfo info) {
        this.frontend = frontend;
        this.client = client;
        this.admission = admission;
        this.decision = decision;
        this.head = head;
        this.info = info;
    }

    Decision.Admitted decision() {
        return decision;
    }

    /** The upstream's status (0 before its head), and the calls refunded at settlement: for the access log. */
    int status() {
        return responseStatus;
    }

    int refunded() {
        return refunded;
    }

    @Override
    public void onAcquired(BackendHandler acquired) {
        if (clientGone || finished) {
            acquired.pool().release(acquired, acquired.reusable());
            settle(UpstreamOutcome.NOT_SENT);
            return;
        }
        backend = acquired;
        acquired.attach(this);
        acquired.expectResponse(info.headMethod(), info.http10());
        Channel upstream = acquired.channel();
        ByteBuf bytes = frontend.upstreamHead(head, decision, info);
        if (info.expectContinue()) {
            client.writeAndFlush(FrontendHandler.continueResponse());
        }
        forwardedNanos = System.nanoTime();
        upstream.write(bytes);
        head = null;
        acquired.awaitResponse();
        upstream.read();
        frontend.readNext();
    }

    @Override
    public void onAcquireFailed(Throwable cause) {
        if (finished) {
            return;
        }
        settle(clientGone ? UpstreamOutcome.NOT_SENT : UpstreamOutcome.TRANSPORT_ERROR);
        fail(RejectionCode.UPSTREAM_UNAVAILABLE);
    }

    /** A piece of the client's request body, in order; the last one ends the request. */
    void forwardBody(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            content.release();
            abortRequest(ErrorResponses.codeFor(cause));
            return;
        }
        Channel upstream = backend.channel();
        if (content instanceof LastHttpContent) {
            requestDone = true;
            RequestBodyFraming.write(upstream, content, info.chunked(), frontend.trailerFilter());
            upstream.flush();
            if (!responseHead) {
                backend.awaitResponse();
            }
            return;
        }
        RequestBodyFraming.write(upstream, content, info.chunked(), frontend.trailerFilter());
        if (finished) {
            return; // the write failed at once and the exchange already ended
        }
        if (!responseHead) {
            backend.awaitResponse(); // the response timeout counts from the last request byte written
        }
        if (upstream.isWritable()) {
            frontend.readNext();
        } else {
            upstream.flush(); // resumed by onUpstreamWritable()
        }
    }

    void flushUpstream() {
        if (backend != null && !finished) {
            backend.channel().flush();
        }
    }

    void onUpstreamWritable() {
        if (!requestDone && !finished) {
            frontend.readNext();
        }
    }

    void onClientWritable() {
        if (backend != null && !finished) {
            backend.channel().read();
        }
    }

    /** What the {@link UpstreamResponseDecoder} read: a final head, body bytes, or the response's end. */
    void onResponse(Object msg) {
        if (finished) {
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof UpstreamResponseHead response) {
            onResponseHead(response);
        } else if (msg == UpstreamResponseDecoder.END) {
            if (rechunk) {
                ClientResponseWriter.writeLastChunk(client);
            }
            responseComplete();
        } else if (rechunk) {
            ClientResponseWriter.writeChunk(client, (ByteBuf) msg);
        } else {
            client.write(msg); // body bytes as the upstream framed them (or de-chunked for an HTTP/1.0 client)
        }
    }

    private void onResponseHead(UpstreamResponseHead response) {
        responseHead = true;
        frontend.upstreamAnswered(System.nanoTime() - forwardedNanos);
        backend.responseStarted();
        upstreamKeepAlive = response.keepAlive();
        int status = response.status();
        responseStatus = status;
        if (clientGone) {
            settle(UpstreamOutcome.responded(status));
            response.release();
            finished = true;
            closeUpstream();
            return;
        }
        boolean bodyless = info.headMethod() || status == 204 || status == 304;
        boolean close = !info.keepAlive() || frontend.shuttingDown() || !requestDone;
        ByteBuf out = frontend.responseHeadBuffer();
        try {
            closeClient = ClientResponseWriter.writeHead(out, response, decision.rateLimit(), info.http10(), bodyless, close,
                    frontend.requestId());
        } catch (RuntimeException | Error e) {
            out.release(); // the write's reference: the connection's buffer stays reusable
            throw e;
        } finally {
            response.release();
        }
        // A close-delimited upstream body cannot be close-delimited towards a keep-alive HTTP/1.1 client.
        rechunk = !info.http10() && response.framing() == UpstreamResponseHead.Framing.UNTIL_CLOSE;
        frontend.relayingResponse();
        client.write(out);
        responseStarted = true;
    }

    void onUpstreamReadComplete() {
        if (finished) {
            return;
        }
        client.flush();
        if (client.channel().isWritable()) {
            backend.channel().read();
        }
    }

    private void responseComplete() {
        finished = true;
        settle(UpstreamOutcome.responded(responseStatus));
        boolean reusable = requestDone && upstreamKeepAlive && backend.reusable();
        backend.detach();
        backend.pool().release(backend, reusable);
        frontend.exchangeEnded(closeClient);
    }

    /** The upstream failed (cause) or closed (null) before the response was complete. */
    void onUpstreamFailure(Throwable cause) {
        if (finished) {
            return;
        }
        closeUpstream();
        if (!responseHead) {
            settle(UpstreamOutcome.TRANSPORT_ERROR);
            fail(RejectionCode.UPSTREAM_UNAVAILABLE);
        } else {
            finished = true;
            settle(UpstreamOutcome.TRANSPORT_ERROR); // the client got a truncated response
            frontend.abortConnection(); // part of the response was sent: only a close can tell the client
        }
    }

    void onResponseTimeout() {
        if (finished || responseHead) {
            return;
        }
        settle(UpstreamOutcome.TIMEOUT);
        closeUpstream();
        fail(RejectionCode.UPSTREAM_TIMEOUT);
    }

    /** The client's body broke the rules mid-stream (framing error, over max_body). */
    private void abortRequest(RejectionCode code) {
        requestDone = true;
        closeUpstream();
        // The upstream got a truncated request; if it already answered, its status decides.
        settle(responseHead ? UpstreamOutcome.responded(responseStatus) : UpstreamOutcome.TRANSPORT_ERROR);
        finished = true;
        if (!responseStarted) {
            frontend.exchangeFailed(code, false, true);
        } else {
            frontend.abortConnection();
        }
    }

    void onClientClosed() {
        clientGone = true;
        if (finished) {
            return;
        }
        if (backend == null) {
            if (frontend.cancelAcquire(this)) {
                finished = true;
                settle(UpstreamOutcome.NOT_SENT);
            }
            return; // connecting: onAcquired/onAcquireFailed settle
        }
        if (!requestDone) {
            // The upstream got a truncated request; if it already answered, its status decides.
            settle(responseHead ? UpstreamOutcome.responded(responseStatus) : UpstreamOutcome.TRANSPORT_ERROR);
            finished = true;
            closeUpstream();
        } else if (responseHead) {
            finished = true;
            settle(UpstreamOutcome.responded(responseStatus)); // the upstream answered; the client left mid-response
            closeUpstream();
        } else if (frontend.shuttingDown()) {
            // Fully sent, no head yet, and the gateway is stopping (its deadline cut the client off): it cannot wait
            // for the head, and the client got nothing. The attempt ends here, in a transport error (refunded).
            finished = true;
            settle(UpstreamOutcome.TRANSPORT_ERROR);
            closeUpstream();
        }
        // else: fully sent, no head yet: wait for the head (or the timeout) to learn what to settle.
    }

    private void fail(RejectionCode code) {
        finished = true;
        if (!clientGone) {
            frontend.exchangeFailed(code, requestDone, info.hasBody());
        }
    }

    private void closeUpstream() {
        if (backend != null) {
            backend.markBroken();
            backend.detach();
            backend.channel().close();
        }
    }

    private void settle(UpstreamOutcome outcome) {
        if (!settled) {
            settled = true;
            if (decision.needsSettlement()) {
                refunded = admission.settle(decision, outcome);
            }
        }
    }
}
