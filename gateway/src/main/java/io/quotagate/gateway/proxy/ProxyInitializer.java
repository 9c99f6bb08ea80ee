package io.quotagate.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.ssl.SslContext;
import io.quotagate.gateway.accesslog.AccessLog;
import io.quotagate.gateway.admission.Admission;
import io.quotagate.gateway.config.ServerConfig;
import io.quotagate.gateway.config.UpstreamConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.quota.QuotaReads;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Builds a client connection's pipeline; reads as the table of contents of the proxy. No aggregator anywhere:
 * bodies stream (a small body is held whole before forwarding, see {@link Exchange}). Holds only collaborators (the
 * thread-safe {@link ConnectionLimits} counts connections across event loops), so one instance serves every
 * connection. A connection over a cap gets a pipeline of its own that only answers 503 and closes.
 */
public final class ProxyInitializer extends ChannelInitializer<Channel> {

    private final ProxyContext px;
    private final ChannelGroup connections;
    private final ConnectionLimits limits;

    /**
     * @param serverSsl   null for plain HTTP
     * @param connections every accepted connection is added here (graceful stop walks it)
     */
    public ProxyInitializer(ServerConfig server, UpstreamConfig upstream, Admission admission, GatewayMetrics metrics,
                            UpstreamPools pools, SslContext serverSsl, ChannelGroup connections) {
        this(server, upstream, admission, null, metrics, pools, serverSsl, connections, AccessLog.OFF);
    }

    /** @param accessLog where each request's line goes ({@link AccessLog#OFF} for none) */
    public ProxyInitializer(ServerConfig server, UpstreamConfig upstream, Admission admission, GatewayMetrics metrics,
                            UpstreamPools pools, SslContext serverSsl, ChannelGroup connections, AccessLog accessLog) {
        this(server, upstream, admission, null, metrics, pools, serverSsl, connections, accessLog);
    }

    /**
     * @param quota     the client quota endpoint, or null for none
     * @param accessLog where each request's line goes ({@link AccessLog#OFF} for none)
     */
    public ProxyInitializer(ServerConfig server, UpstreamConfig upstream, Admission admission, QuotaReads quota,
                            GatewayMetrics metrics, UpstreamPools pools, SslContext serverSsl, ChannelGroup connections,
                            AccessLog accessLog) {
        this.px = new ProxyContext(server, admission, metrics, new RequestHeadWriter(upstream), pools, serverSsl, quota,
                accessLog);
        this.connections = connections;
        this.limits = new ConnectionLimits(server.maxConnections(), server.maxConnectionsPerAddress());
    }

    @Override
    protected void initChannel(Channel ch) {
        InetAddress address = ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        switch (limits.tryOpen(address)) {
            case OPEN -> ch.closeFuture().addListener(f -> limits.closed(address));
            case REFUSE -> {
                ch.closeFuture().addListener(f -> limits.refusalEnded());
                initRefused(ch);
                return;
            }
            case DROP -> {
                ch.close(); // refusals are already being answered at their bound: no answer for this one
                return;
            }
        }
        connections.add(ch);
        ServerConfig server = px.server();
        ChannelPipeline p = ch.pipeline();
        if (px.serverSsl() != null) {
            p.addLast("tls", px.serverSsl().newHandler(ch.alloc()));          // TLS termination
        }
        if (px.accessLog().enabled()) {
            p.addLast("bytes", new ByteCounter());                             // bytes in and out, for the access log
        }
        p.addLast("http", new StrictServerCodec(server));                      // bytes <-> HTTP objects; smuggling -> failed result
        p.addLast("timeouts", new ClientTimeoutHandler(server.idleTimeout(), server.headerTimeout(), server.writeIdle()));
        p.addLast("reader", new OnDemandReader());                             // one message at a time: in order
        p.addLast("bodyLimit", new BodyLimitHandler(server.maxBody()));        // max_body -> 413, before 100-continue
        p.addLast("frontend", new FrontendHandler(px));                        // admission, exchange, quota reads, error answers
    }

    /** Over a connection cap: 503 too_many_connections at once, then close. */
    private void initRefused(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (px.serverSsl() != null) {
            p.addLast("tls", px.serverSsl().newHandler(ch.alloc()));
        }
        p.addLast("encoder", new HttpResponseEncoder());
        p.addLast("refused", new RefusedConnectionHandler(px.serverSsl() != null));
    }

    /** The user event that asks a connection to finish its current exchange and close. */
    public static Object shutdownEvent() {
        return FrontendHandler.SHUTDOWN;
    }
}
