package io.quotagate.gateway.e2e;

import io.quotagate.gateway.Replica;
import io.quotagate.gateway.config.ConfigException;
import io.quotagate.gateway.config.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Real gateway replicas started in-process from a config file, each with its own event loops and its own Redisson
 * client, exactly as {@code GatewayMain} builds them. {@link #close()} stops whichever are still running.
 */
final class Replicas implements AutoCloseable {

    private final List<Replica> running = new ArrayList<>();

    Replica start(Path file) {
        try {
            Replica replica = Replica.start(file, ConfigLoader.load(file));
            running.add(replica);
            return replica;
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    void stop(Replica replica) {
        running.remove(replica);
        replica.close();
    }

    @Override
    public void close() {
        for (Replica replica : List.copyOf(running)) {
            stop(replica);
        }
    }
}
