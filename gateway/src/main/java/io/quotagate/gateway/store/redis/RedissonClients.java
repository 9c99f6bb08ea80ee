package io.quotagate.gateway.store.redis;

import io.netty.channel.EventLoopGroup;
import io.quotagate.gateway.config.RedisConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.BaseConfig;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import org.redisson.config.Credentials;
import org.redisson.config.ReadMode;
import org.redisson.config.TransportMode;

/**
 * Builds the Redisson client of a replica from {@link RedisConfig}: single server, cluster or sentinel, sized for a
 * small machine (Redisson's defaults are 32 Netty and 16 worker threads), optionally on the gateway's own Netty
 * event loops so that Redis I/O adds no threads at all.
 */
public final class RedissonClients {

    /** Redisson's own threads when it does not share the gateway's loops: 2 cores, 2 threads. */
    static final int THREADS = 2;
    static final int POOL_SIZE = 16;
    /**
     * Every pooled connection is opened at start and kept: in Redisson 4.7 a command waits for a pooled connection
     * only until its next resend (RETRY_DELAY later), so a burst that had to open connections failed with "Unable
     * to acquire connection" whatever the timeout. Admission needs few (each event loop has at most
     * {@code calls_in_flight} admit calls out), so the pool is always warm.
     */
    static final int MIN_IDLE = POOL_SIZE;
    /** Cluster: how often the slot map is read again (Redisson's 5 s default delayed recovery after a failover). */
    static final int CLUSTER_SCAN_INTERVAL_MS = 1000;
    static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(200);
    static final Duration RETRY_DELAY = Duration.ofMillis(50);

    private RedissonClients() {
    }

    /**
     * The gateway's event loops to run Redis I/O on. {@code epoll} must say which transport the group was built
     * for ({@code MultiThreadIoEventLoopGroup} with {@code EpollIoHandler} or {@code NioIoHandler}), because
     * Redisson picks its channel class from it. Redisson does not shut a group it was given down.
     */
    public record SharedLoops(EventLoopGroup group, boolean epoll) {
        public SharedLoops {
            Objects.requireNonNull(group, "group");
        }
    }

    public static RedissonClient create(RedisConfig redis) {
        return Redisson.create(config(redis, null));
    }

    public static RedissonClient create(RedisConfig redis, SharedLoops loops) {
        return Redisson.create(config(redis, loops));
    }

    static Config config(RedisConfig redis, SharedLoops loops) {
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        // RedisScripts does EVALSHA with its own NOSCRIPT fallback; Redisson's cache would add a second layer.
        config.setUseScriptCache(false);
        config.setThreads(THREADS);
        config.setNettyThreads(THREADS);
        if (loops != null) {
            config.setTransportMode(loops.epoll() ? TransportMode.EPOLL : TransportMode.NIO);
            config.setEventLoopGroup(loops.group());
        }
        if (redis.cluster() != null && !redis.cluster().isEmpty()) {
            var cluster = config.useClusterServers().addNodeAddress(redis.cluster().toArray(String[]::new))
                    .setMasterConnectionPoolSize(POOL_SIZE).setMasterConnectionMinimumIdleSize(MIN_IDLE)
                    .setScanInterval(CLUSTER_SCAN_INTERVAL_MS)
                    // Money is read where it is written: a replica may lag (a tenant just created, a grant).
                    .setReadMode(ReadMode.MASTER).setSlaveConnectionMinimumIdleSize(0);
            common(cluster, redis);
        } else if (redis.sentinel() != null) {
            var sentinel = config.useSentinelServers().setMasterName(redis.sentinel().master())
                    .addSentinelAddress(redis.sentinel().addresses().toArray(String[]::new))
                    .setMasterConnectionPoolSize(POOL_SIZE).setMasterConnectionMinimumIdleSize(MIN_IDLE)
                    .setReadMode(ReadMode.MASTER).setSlaveConnectionMinimumIdleSize(0);
            common(sentinel, redis);
        } else {
            var single = config.useSingleServer().setAddress(Objects.requireNonNull(redis.address(), "store.redis.address"))
                    .setConnectionPoolSize(POOL_SIZE).setConnectionMinimumIdleSize(MIN_IDLE);
            common(single, redis);
        }
        return config;
    }

    /**
     * Timeout and resends. A resent script may run twice on the server (the first copy was only slow), which is
     * safe because every script is idempotent by request or order id.
     */
    private static void common(BaseConfig<?> server, RedisConfig redis) {
        Duration timeout = redis.timeout() == null ? DEFAULT_TIMEOUT : redis.timeout();
        server.setTimeout((int) timeout.toMillis());
        server.setConnectTimeout((int) Math.max(timeout.toMillis(), 1000));
        server.setRetryAttempts(Math.max(0, redis.retryAttempts()));
        server.setRetryDelay(new ConstantDelay(RETRY_DELAY));
        if (redis.password() != null && !redis.password().isEmpty()) {
            // BaseConfig.setPassword is deprecated in Redisson 4; a resolver is the supported way to pass it.
            Credentials credentials = new Credentials(null, redis.password());
            server.setCredentialsResolver(address -> CompletableFuture.completedFuture(credentials));
        }
    }
}
