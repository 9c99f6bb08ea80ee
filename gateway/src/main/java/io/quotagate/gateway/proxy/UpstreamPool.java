package io.quotagate.gateway.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.quotagate.gateway.config.UpstreamConfig;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to the upstream for ONE event loop: client and upstream channels of an exchange share
 * that loop, so relaying never hops threads and the pool needs no locks (every method runs on {@link #loop}).
 * Bounded by {@code maxConnections} (open plus connecting); acquirers beyond that wait, in order, up to the
 * connect timeout. Idle connections are reused most-recent first and closed after {@code poolIdleTimeout}; an
 * idle connection keeps one read outstanding so that an upstream close is noticed and the connection dropped
 * before anyone picks it. A connection is only returned when its exchange ended cleanly
 * ({@link BackendHandler#reusable()}). Pipeline: {@code [SslHandler] → UpstreamResponseDecoder → BackendHandler}.
 */
final class UpstreamPool {

    /** Who waits for a connection: an {@link Exchange}. Called on the pool's loop. */
    interface Waiter {
        void onAcquired(BackendHandler backend);

        void onAcquireFailed(Throwable cause);
    }

    private final EventLoop loop;
    private final InetSocketAddress address;
    private final UpstreamConfig config;
    private final Bootstrap bootstrap;
    private final ArrayDeque<BackendHandler> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final Deadline evictor;
    private int open;

    UpstreamPool(EventLoop loop, Class<? extends Channel> channelClass, InetSocketAddress address,
                 UpstreamConfig config, SslContext ssl) {
        this.loop = loop;
        this.address = address;
        this.config = config;
        this.evictor = new Deadline(loop, this::evictIdle);
        this.bootstrap = new Bootstrap().group(loop).channel(channelClass)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, UpstreamPools.ALLOCATOR)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (ssl != null) {
                            p.addLast("tls", ssl.newHandler(ch.alloc(), address.getHostString(), address.getPort()));
                        }
                        p.addLast("response", new UpstreamResponseDecoder()); // requests leave as bytes, unencoded
                        p.addLast("backend", new BackendHandler(UpstreamPool.this, config.responseTimeout(),
                                config.idleTimeout()));
                    }
                });
    }

    void acquire(Waiter waiter) {
        BackendHandler backend;
        while ((backend = idle.pollLast()) != null) {
            if (backend.channel().isActive()) {
                waiter.onAcquired(backend);
                return;
            }
            backend.channel().close();
        }
        if (open < config.maxConnections()) {
            connect(waiter);
        } else {
            waiters.add(waiter);
            loop.schedule(() -> {
                if (waiters.remove(waiter)) {
                    waiter.onAcquireFailed(new java.net.ConnectException("no upstream connection free within the connect timeout"));
                }
            }, config.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Stops waiting for a connection; false when the waiter already got one or is connecting. */
    boolean cancel(Waiter waiter) {
        return waiters.remove(waiter);
    }

    /** Hands a connection back at the end of an exchange; a connection that is not reusable is closed. */
    void release(BackendHandler backend, boolean reusable) {
        Channel ch = backend.channel();
        if (!reusable || !ch.isActive()) {
            ch.close(); // the close listener frees the slot
            return;
        }
        Waiter next = waiters.poll();
        if (next != null) {
            next.onAcquired(backend);
            return;
        }
        backend.idleSince(System.nanoTime());
        idle.addLast(backend);
        ch.read(); // one outstanding read: an upstream close or stray bytes are noticed while idle
        if (!evictor.isArmed()) {
            evictor.arm(config.poolIdleTimeout().toNanos());
        }
    }

    /** An idle connection closed by the upstream. */
    void removeIdle(BackendHandler backend) {
        idle.remove(backend);
    }

    int openConnections() {
        return open;
    }

    private void connect(Waiter waiter) {
        open++;
        ChannelFuture future = bootstrap.connect(address);
        Channel ch = future.channel();
        ch.closeFuture().addListener(f -> slotFreed());
        future.addListener(f -> {
            if (f.isSuccess()) {
                waiter.onAcquired(ch.pipeline().get(BackendHandler.class));
            } else {
                waiter.onAcquireFailed(f.cause());
            }
        });
    }

    private void slotFreed() {
        open--;
        Waiter next = waiters.poll();
        if (next != null) {
            connect(next);
        }
    }

    private void evictIdle() {
        long now = System.nanoTime();
        long timeout = config.poolIdleTimeout().toNanos();
        BackendHandler oldest;
        while ((oldest = idle.peekFirst()) != null && now - oldest.idleSince() >= timeout) {
            idle.pollFirst().channel().close();
        }
        if ((oldest = idle.peekFirst()) != null) {
            evictor.arm(Math.max(1, timeout - (now - oldest.idleSince())));
        }
    }

    /** Closes idle connections (at shutdown). */
    void closeIdle() {
        BackendHandler backend;
        while ((backend = idle.pollFirst()) != null) {
            backend.channel().close();
        }
    }
}
