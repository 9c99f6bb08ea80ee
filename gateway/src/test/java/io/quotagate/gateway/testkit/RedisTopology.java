package io.quotagate.gateway.testkit;

import io.quotagate.gateway.config.RedisConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A running set of local Redis processes that a gateway reaches through one {@code store.redis} setting: a
 * {@link RedisSentinelSet} or a {@link RedisCluster}. Tests build their store or replicas from {@link #config} and
 * inspect or break the processes behind it (which master holds a key, {@code kill -9} it, wait for its replica to
 * take over). {@link #close()} kills every process.
 */
public interface RedisTopology extends AutoCloseable {

    /** The {@code store.redis} settings that reach this topology (sentinel or cluster addresses). */
    RedisConfig config(Duration timeout, int retryAttempts);

    /** Masters now, in a stable order (a promoted replica counts as a master once promoted). */
    List<RedisProcess> masters();

    /** The master serving {@code key} now. */
    RedisProcess masterOf(String key);

    /** The replica of {@code master} (each master has exactly one). */
    RedisProcess replicaOf(RedisProcess master);

    /** Waits until {@code replica} serves as a master and clients can reach it through the topology. */
    void awaitPromoted(RedisProcess replica, Duration timeout);

    /** Empties every master (and so its replica) and resets their script caches. */
    default void flushAll() {
        for (RedisProcess master : masters()) {
            master.command("FLUSHALL");
            master.command("SCRIPT", "FLUSH");
        }
    }

    /** The Redis server clock (every process runs on this machine, so any master's clock will do). */
    default Instant time() {
        List<?> time = (List<?>) masters().get(0).command("TIME");
        return Instant.ofEpochSecond(Long.parseLong((String) time.get(0)), Long.parseLong((String) time.get(1)) * 1000);
    }

    /** Kills every process; safe to call twice. */
    @Override
    void close();

    /** Polls {@code done} every 20 ms until it holds; fails with {@code what} after {@code timeout}. */
    static void await(String what, Duration timeout, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (done.getAsBoolean()) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // a process not yet (or no longer) answering: keep polling until the deadline
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
            }
            RedisProcess.sleep(20);
        }
    }
}
