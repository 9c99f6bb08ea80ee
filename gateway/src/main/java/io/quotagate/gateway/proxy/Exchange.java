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
 *
 * <p>Body first: the first {@code server.body_buffer} bytes of a request body (all of a smaller one) are read
 * before an upstream connection is taken, so a client that trickles its body holds no upstream connection until it
 * has sent that much (at the pace {@code server.body_timeout} demands), and one that leaves meanwhile was never
 * sent ({@code NOT_SENT}). The rest of a larger body streams as it comes.
 *
 * <p>Idle rules while the response streams: the exchange reads the upstream only while the client is writable, and
 * the upstream's body idle timer ({@code upstream.idle_timeout}) runs only then; a stall there is a transport error
 * (refunded) and the client is cut. While the client is not writable the client's {@code server.write_idle} runs
 * instead ({@link ClientTimeoutHandler}); its close settles by the status received.
 */
final class Exchange implements UpstreamPool.Waiter {

    private final FrontendHandler frontend;
    private final ChannelHandlerContext client;
    private final Admission admission;
    private final Decision.Admitted decision;
    private final RequestInfo info;
    private final long bufferLimit;
    private HttpRequest head;
    /** The body read before the upstream connection was taken (null when none is held). */
    private HeldBody held;
    private boolean buffering;
    private boolean continueSent;
    /** The request's last content was read from the client (it may still be held, not yet written). */
    private boolean lastRead;
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

    /** @param bufferLimit read this many body bytes (or the whole body) before taking an upstream connection; 0: none */
    Exchange(FrontendHandler frontend, ChannelHandlerContext client, Admission admission, Decision.Admitted decision,
             HttpRequest head, RequestInfo info, long bufferLimit) {
        this.frontend = frontend;
        this.client = client;
        this.admission = admission;
        this.decision = decision;
        this.head = head;
        this.info = info;
        this.bufferLimit = bufferLimit;
    }

    /** Starts the attempt: reads the start of the body first (see the class comment), then takes a connection. */
    void start() {
        if (bufferLimit <= 0) {
            frontend.acquire(this);
            return;
        }
        buffering = true;
        held = new HeldBody(bufferLimit);
        if (info.expectContinue()) {
            continueSent = true; // admitted: the body is wanted now, before any upstream connection
            client.writeAndFlush(FrontendHandler.continueResponse());
        }
        frontend.readNext();
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
            releaseHeld();
            settle(UpstreamOutcome.NOT_SENT);
            return;
        }
        backend = acquired;
        acquired.attach(this);
        acquired.expectResponse(info.headMethod(), info.http10());
        Channel upstream = acquired.channel();
        ByteBuf bytes = frontend.upstreamHead(head, decision, info);
        if (info.expectContinue() && !continueSent) {
            client.writeAndFlush(FrontendHandler.continueResponse());
        }
        forwardedNanos = System.nanoTime();
        upstream.write(bytes);
        head = null;
        acquired.awaitResponse();
        boolean wroteHeld = held != null;
        if (wroteHeld) {
            requestDone = held.writeTo(upstream, info.chunked(), frontend.trailerFilter());
            held = null;
            if (finished) {
                return; // a write failed at once and the exchange already ended
            }
        }
        upstream.read();
        if (wroteHeld) {
            upstream.flush(); // not in a client read: no channelReadComplete will flush it
        }
        if (!requestDone) {
            frontend.readNext();
        }
    }

    private void releaseHeld() {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    @Override
    public void onAcquireFailed(Throwable cause) {
        if (finished) {
            return;
        }
        releaseHeld();
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
        lastRead |= content instanceof LastHttpContent;
        if (buffering) {
            hold(content);
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

    private void hold(HttpContent content) {
        if (held.add(content)) {
            buffering = false; // whole, or too large to hold: the rest streams
            frontend.acquire(this);
        } else {
            frontend.readNext();
        }
    }

    /** {@code server.body_timeout} passed while the exchange waited on the client for its body. */
    void onBodyTimeout() {
        if (!finished && !lastRead) {
            abortRequest(RejectionCode.REQUEST_TIMEOUT);
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
            readUpstream();
        }
    }

    /** Before the head the response timer governs; after it, the upstream's body idle timer runs while we wait. */
    private void readUpstream() {
        if (responseHead) {
            backend.readBody();
        } else {
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
            readUpstream();
        } else {
            backend.pauseBody(); // waiting on the client now: server.write_idle governs
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
        buffering = false;
        releaseHeld();
        closeUpstream();
        // The upstream got a truncated request (or nothing, while the body was still held); if it already answered,
        // its status decides.
        settle(responseHead ? UpstreamOutcome.responded(responseStatus)
                : backend == null ? UpstreamOutcome.NOT_SENT : UpstreamOutcome.TRANSPORT_ERROR);
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
            if (buffering || frontend.cancelAcquire(this)) {
                buffering = false;
                finished = true;
                releaseHeld();
                settle(UpstreamOutcome.NOT_SENT); // the body was still being read, or waited for a connection
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
            frontend.exchangeFailed(code, lastRead, info.hasBody());
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
