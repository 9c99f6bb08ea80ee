package io.quotagate.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.quotagate.gateway.accesslog.AccessLog;
import io.quotagate.gateway.admission.Admission;
import io.quotagate.gateway.config.ServerConfig;
import io.quotagate.gateway.config.UpstreamConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;

/**
 * Builds a client connection's pipeline; reads as the table of contents of the proxy. No aggregator anywhere:
 * bodies stream. Holds only immutable collaborators, so one instance serves every connection.
 */
public final class ProxyInitializer extends ChannelInitializer<Channel> {

    private final ProxyContext px;
    private final ChannelGroup connections;

    /**
     * @param serverSsl   null for plain HTTP
     * @param connections every accepted connection is added here (graceful stop walks it)
     */
    public ProxyInitializer(ServerConfig server, UpstreamConfig upstream, Admission admission, GatewayMetrics metrics,
                            UpstreamPools pools, SslContext serverSsl, ChannelGroup connections) {
        this(server, upstream, admission, metrics, pools, serverSsl, connections, AccessLog.OFF);
    }

    /** @param accessLog where each request's line goes ({@link AccessLog#OFF} for none) */
    public ProxyInitializer(ServerConfig server, UpstreamConfig upstream, Admission admission, GatewayMetrics metrics,
                            UpstreamPools pools, SslContext serverSsl, ChannelGroup connections, AccessLog accessLog) {
        this.px = new ProxyContext(server, admission, metrics, new RequestHeadWriter(upstream), pools, serverSsl, accessLog);
        this.connections = connections;
    }

    @Override
    protected void initChannel(Channel ch) {
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
        p.addLast("timeouts", new ClientTimeoutHandler(server.idleTimeout(), server.headerTimeout()));
        p.addLast("reader", new OnDemandReader());                             // one message at a time: in order
        p.addLast("bodyLimit", new BodyLimitHandler(server.maxBody()));        // max_body -> 413, before 100-continue
        p.addLast("frontend", new FrontendHandler(px));                        // admission, exchange, error answers
    }

    /** The user event that asks a connection to finish its current exchange and close. */
    public static Object shutdownEvent() {
        return FrontendHandler.SHUTDOWN;
    }
}
