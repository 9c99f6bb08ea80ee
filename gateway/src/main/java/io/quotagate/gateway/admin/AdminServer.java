package io.quotagate.gateway.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import io.quotagate.gateway.config.AdminConfig;
import io.quotagate.gateway.config.StatusConfig;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.concurrent.TimeUnit;

/**
 * The admin listener: its own port ({@code admin.bind}, loopback by default; {@code admin.port}, 0 for an ephemeral
 * one) serving the admin API, {@code /metrics}, {@code /healthz} and {@code /readyz}. Refuses to be built without an
 * admin token. Owns the admin API's {@link AuditLog}: its writer stops after the listener. Shares the gateway's event
 * loops when given them. {@link #status} builds the status listener the
 * same way: only {@code /metrics}, {@code /healthz} and {@code /readyz}, no token.
 */
public final class AdminServer implements AutoCloseable {

    /** Admin bodies are small JSON objects; larger ones get 413. */
    static final int MAX_BODY = 64 * 1024;
    static final int IDLE_SECONDS = 60;
    private static final String DEFAULT_BIND = "127.0.0.1";

    private final String bind;
    private final int port;
    private final AdminDispatcher dispatcher;
    private final EventLoopGroup group;
    private final Class<? extends ServerChannel> channelType;
    private final boolean ownsGroup;
    private final ExecutorService blocking;
    private final AuditLog audit;
    private Channel channel;

    /**
     * An admin listener on one event loop thread of its own.
     *
     * @throws IllegalArgumentException when {@code admin.token} is null or empty
     */
    public AdminServer(AdminConfig config, AdminApi api) {
        this(config, api, null, NioServerSocketChannel.class);
    }

    /**
     * An admin listener on the gateway's event loops.
     *
     * @param group       the gateway's event loops, or null for one thread of the admin listener's own (NIO)
     * @param channelType the server channel that fits {@code group}, e.g. {@code EpollServerSocketChannel.class}
     * @throws IllegalArgumentException when {@code admin.token} is null or empty
     */
    public AdminServer(AdminConfig config, AdminApi api, EventLoopGroup group, Class<? extends ServerChannel> channelType) {
        this(config.bind() == null || config.bind().isBlank() ? DEFAULT_BIND : config.bind(), config.port(),
                AuditLog.start(api.metrics()::auditLogDropped),
                (blocking, audit) -> api.dispatcher(blocking, config.throttle(), audit), group, channelType);
    }

    /** The status listener ({@code status.bind}, {@code status.port}) on one event loop thread of its own. */
    public static AdminServer status(StatusConfig config, AdminApi api) {
        return new AdminServer(config.bind(), config.port(), null, (blocking, audit) -> api.statusDispatcher(blocking),
                null, NioServerSocketChannel.class);
    }

    /** @param audit null for the status listener (nothing there changes anything) */
    private AdminServer(String bind, int port, AuditLog audit,
                        BiFunction<ExecutorService, AuditLog, AdminDispatcher> dispatchers,
                        EventLoopGroup group, Class<? extends ServerChannel> channelType) {
        this.bind = bind;
        this.port = port;
        this.audit = audit;
        this.blocking = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "quotagate-admin-blocking");
            t.setDaemon(true);
            return t;
        });
        try {
            this.dispatcher = dispatchers.apply(blocking, audit);
        } catch (RuntimeException e) {
            blocking.shutdownNow();
            if (audit != null) {
                audit.close();
            }
            throw e;
        }
        this.ownsGroup = group == null;
        this.group = group != null ? group : new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.channelType = group != null ? Objects.requireNonNull(channelType, "channelType") : NioServerSocketChannel.class;
    }

    /** Binds the port; blocks the calling thread (the composition root) until it is bound. */
    public AdminServer start() throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(channelType)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
                        p.addLast("http", new HttpServerCodec());
                        p.addLast("aggregate", new HttpObjectAggregator(MAX_BODY));
                        p.addLast("admin", new AdminHandler(dispatcher));
                    }
                });
        channel = bootstrap.bind(new InetSocketAddress(bind, port)).sync().channel();
        return this;
    }

    /** The bound address (the ephemeral port when the configured port is 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public int port() {
        return address().getPort();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        blocking.shutdownNow();
        if (audit != null) {
            audit.close(); // after the listener: the last calls' entries are written
        }
    }
}
