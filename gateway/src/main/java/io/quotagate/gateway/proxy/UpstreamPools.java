package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.EventExecutor;
import io.quotagate.gateway.config.UpstreamConfig;
import java.net.InetSocketAddress;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One {@link UpstreamPool} per event loop of the worker group, built once at start; read-only afterwards, so
 * event loops look their pool up without synchronisation.
 */
public final class UpstreamPools {

    /**
     * The buffer allocator of client and upstream channels. Netty 4.2's default (adaptive) allocator writes into
     * direct buffers through {@code ByteBuffer.put}, which made copying header names and values while encoding a
     * visible share of a profile; the pooled allocator copies with Unsafe and keeps per-event-loop caches. In
     * interleaved benchmark runs pooled was faster in 7 of 8 pairs (the machine was noisy: a few per cent, not
     * more, should be read into that).
     */
    public static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    private final Map<EventExecutor, UpstreamPool> byLoop = new IdentityHashMap<>();

    /**
     * The upstream's address is resolved here, once: resolving on an event loop would block it (a gap: a DNS
     * change is seen after a restart only).
     */
    public UpstreamPools(EventLoopGroup workers, Transport transport, UpstreamConfig upstream, SslContext upstreamSsl) {
        InetSocketAddress address = new InetSocketAddress(upstream.host(), upstream.port());
        for (EventExecutor executor : workers) {
            byLoop.put(executor, new UpstreamPool((EventLoop) executor, transport.socketChannel(), address, upstream, upstreamSsl));
        }
    }

    UpstreamPool forLoop(EventLoop loop) {
        UpstreamPool pool = byLoop.get(loop);
        if (pool == null) {
            throw new IllegalStateException("no upstream pool for " + loop + ": client and upstream must share the worker group");
        }
        return pool;
    }

    /** Open upstream connections across all loops (racy read; for tests and metrics). */
    public int openConnections() {
        int n = 0;
        for (UpstreamPool pool : byLoop.values()) {
            n += pool.openConnections();
        }
        return n;
    }

    /** Closes idle upstream connections, each on its own loop. */
    public void closeIdle() {
        for (Map.Entry<EventExecutor, UpstreamPool> e : byLoop.entrySet()) {
            e.getKey().execute(e.getValue()::closeIdle);
        }
    }
}
