package io.quotagate.gateway.testkit;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link RedisTopology} for a test class: {@code @RegisterExtension static final RedisTopologyExtension<RedisCluster>
 * CLUSTER = RedisTopologyExtension.sharedCluster();}. A shared topology is started by the first class that asks for
 * it and killed when the whole test run ends (JUnit closes what its root store holds), so the contract suite and the
 * end-to-end tests pay its start-up once; they must leave it whole (flushing is fine). A fresh one is the class's
 * own, killed after the class: the one to break ({@code kill -9} a master). Processes die even when a test fails;
 * each also has a JVM shutdown hook.
 */
public final class RedisTopologyExtension<T extends RedisTopology> implements BeforeAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RedisTopologyExtension.class);

    private final String name;
    private final Class<T> type;
    private final Supplier<T> starter;
    private final boolean shared;
    private T topology;

    private RedisTopologyExtension(String name, Class<T> type, Supplier<T> starter, boolean shared) {
        this.name = name;
        this.type = type;
        this.starter = starter;
        this.shared = shared;
    }

    public static RedisTopologyExtension<RedisSentinelSet> sharedSentinel() {
        return new RedisTopologyExtension<>("sentinel", RedisSentinelSet.class, RedisSentinelSet::start, true);
    }

    public static RedisTopologyExtension<RedisSentinelSet> freshSentinel() {
        return new RedisTopologyExtension<>("sentinel", RedisSentinelSet.class, RedisSentinelSet::start, false);
    }

    public static RedisTopologyExtension<RedisCluster> sharedCluster() {
        return new RedisTopologyExtension<>("cluster", RedisCluster.class, RedisCluster::start, true);
    }

    public static RedisTopologyExtension<RedisCluster> freshCluster() {
        return new RedisTopologyExtension<>("cluster", RedisCluster.class, RedisCluster::start, false);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        ExtensionContext owner = shared ? context.getRoot() : context;
        long started = System.nanoTime();
        topology = owner.getStore(NAMESPACE).getOrComputeIfAbsent(name, k -> {
            T t = starter.get();
            System.out.printf("[redis %s] started in %d ms%n", name, (System.nanoTime() - started) / 1_000_000);
            return t;
        }, type);
    }

    public T topology() {
        if (topology == null) {
            throw new IllegalStateException("the " + name + " is started in beforeAll; use it from a test or @BeforeAll");
        }
        return topology;
    }
}
