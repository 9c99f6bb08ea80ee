package io.quotagate.gateway;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.quotagate.gateway.accesslog.AccessLog;
import io.quotagate.gateway.admission.Admission;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.config.ServerConfig;
import io.quotagate.gateway.config.TlsConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.proxy.ProxyInitializer;
import io.quotagate.gateway.quota.QuotaReads;
import io.quotagate.gateway.proxy.Transport;
import io.quotagate.gateway.proxy.UpstreamPools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Composition root of one replica's proxy: owns the event loops, the public listener and the upstream pools.
 * {@link #start()} binds (port 0 picks a free port), {@link #stop(Duration)} stops accepting, lets in-flight
 * exchanges finish until the deadline, then closes everything. The worker group is exposed so other clients
 * (Redis) can share its threads.
 */
public final class Gateway {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final Admission admission;
    private final QuotaReads quota;
    private final GatewayMetrics metrics;
    private final Transport transport;
    private final EventLoopGroup workers;
    private final boolean ownsWorkers;
    private final AccessLog accessLog;
    private final ChannelGroup connections = new DefaultChannelGroup("quotagate-clients", GlobalEventExecutor.INSTANCE);
    private UpstreamPools pools;
    private Channel listener;
    private boolean stopped;

    public Gateway(GatewayConfig config, Admission admission) {
        this(config, admission, Transport.best());
    }

    public Gateway(GatewayConfig config, Admission admission, Transport transport) {
        this(config, admission, null, new GatewayMetrics(config.metrics().tenantLabel()), transport,
                newWorkerGroup(config, transport), true, AccessLog.OFF);
    }

    /** A gateway that also answers the client quota endpoint with {@code quota}. */
    public Gateway(GatewayConfig config, Admission admission, QuotaReads quota) {
        this(config, admission, quota, new GatewayMetrics(config.metrics().tenantLabel()), Transport.best(),
                newWorkerGroup(config, Transport.best()), true, AccessLog.OFF);
    }

    /**
     * @param workers event loops for clients and upstream connections, shared with the Redis client; the caller
     *                created them and shuts them down after {@link #stop}
     */
    public Gateway(GatewayConfig config, Admission admission, GatewayMetrics metrics, Transport transport,
                   EventLoopGroup workers) {
        this(config, admission, null, metrics, transport, workers, false, AccessLog.OFF);
    }

    /**
     * @param quota     the client quota endpoint, or null for none
     * @param workers   as above: the caller created them and shuts them down
     * @param accessLog where each request's line goes (the caller closes it after {@link #stop})
     */
    public Gateway(GatewayConfig config, Admission admission, QuotaReads quota, GatewayMetrics metrics,
                   Transport transport, EventLoopGroup workers, AccessLog accessLog) {
        this(config, admission, quota, metrics, transport, workers, false, accessLog);
    }

    private Gateway(GatewayConfig config, Admission admission, QuotaReads quota, GatewayMetrics metrics,
                    Transport transport, EventLoopGroup workers, boolean ownsWorkers, AccessLog accessLog) {
        this.accessLog = Objects.requireNonNull(accessLog, "accessLog");
        this.config = Objects.requireNonNull(config, "config");
        this.admission = Objects.requireNonNull(admission, "admission");
        this.quota = quota;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.transport = transport;
        this.workers = workers;
        this.ownsWorkers = ownsWorkers;
    }

    /** The event loops a replica runs on: {@code server.io_threads}, or one per core. */
    public static EventLoopGroup newWorkerGroup(GatewayConfig config, Transport transport) {
        int threads = config.server().ioThreads() > 0 ? config.server().ioThreads() : Runtime.getRuntime().availableProcessors();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("quotagate-io"), transport.ioHandlerFactory());
    }

    /** Binds the public listener; returns the bound port. */
    public synchronized int start() throws InterruptedException {
        if (listener != null || stopped) {
            throw new IllegalStateException("already started");
        }
        ServerConfig server = config.server();
        pools = new UpstreamPools(workers, transport, config.upstream(), upstreamSsl());
        ProxyInitializer initializer = new ProxyInitializer(server, config.upstream(), admission, quota, metrics, pools,
                serverSsl(server.tls()), connections, accessLog);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, UpstreamPools.ALLOCATOR)
                .childHandler(initializer);
        String host = server.bind() == null || server.bind().isEmpty() ? "0.0.0.0" : server.bind();
        listener = bootstrap.bind(host, server.port()).sync().channel();
        int port = port();
        log.info("quotagate listening on {}:{} ({}{}, {} io threads) -> {}", host, port, transport.name(),
                server.tls() != null ? ", tls" : "", workers instanceof MultiThreadIoEventLoopGroup g ? g.executorCount() : -1,
                config.upstream().url());
        return port;
    }

    /** The bound port of the public listener. */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The event loops serving clients and upstream connections. */
    public EventLoopGroup workerGroup() {
        return workers;
    }

    /** The per-loop upstream pools (after {@link #start()}). */
    public UpstreamPools upstreamPools() {
        return pools;
    }

    /**
     * Stops accepting, asks every connection to close after its current exchange, waits for them up to
     * {@code grace}, then closes what is left and shuts the event loops down. Idempotent.
     */
    public synchronized void stop(Duration grace) {
        if (stopped) {
            return;
        }
        stopped = true;
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            if (listener != null) {
                listener.close().syncUninterruptibly();
                connections.forEach(ch -> ch.pipeline().fireUserEventTriggered(ProxyInitializer.shutdownEvent()));
                while (!connections.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                int left = connections.size();
                if (left == 0) {
                    log.info("drained: every client connection finished its exchange and closed");
                } else {
                    log.warn("shutdown deadline ({} ms) passed: closing {} client connection(s) still open",
                            grace.toMillis(), left);
                }
                connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
                awaitQueuedTasks(); // the closed channels' inactive handlers settle what the deadline cut off
                pools.closeIdle();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (ownsWorkers) {
                workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Waits until every event loop ran the tasks queued so far. A close completes its future before the channel's
     * inactive event runs (Netty queues that as a task), and that handler is where a cut-off exchange settles: a
     * caller that closes the store next must not get ahead of it.
     */
    private void awaitQueuedTasks() {
        for (EventExecutor loop : workers) {
            try {
                loop.submit(() -> { }).awaitUninterruptibly(1, TimeUnit.SECONDS);
            } catch (RejectedExecutionException stopped) {
                // already stopped: nothing more will run there
            }
        }
    }

    private static SslContext serverSsl(TlsConfig tls) {
        if (tls == null) {
            return null;
        }
        try {
            return SslContextBuilder.forServer(tls.cert().toFile(), tls.key().toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new UncheckedIOException(new IOException("server.tls: cannot load " + tls.cert() + " / " + tls.key() + ": " + e.getMessage(), e));
        }
    }

    private SslContext upstreamSsl() {
        if (!config.upstream().tls()) {
            return null;
        }
        try {
            return SslContextBuilder.forClient().build();
        } catch (SSLException e) {
            throw new UncheckedIOException(new IOException("upstream tls: " + e.getMessage(), e));
        }
    }
}
