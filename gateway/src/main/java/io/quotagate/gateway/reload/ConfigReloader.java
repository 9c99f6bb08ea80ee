package io.quotagate.gateway.reload;

import io.quotagate.gateway.config.ConfigException;
import io.quotagate.gateway.config.ConfigLoader;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.route.ConfigHolder;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a new config comes into force while the gateway runs (SPEC §4): read the file, validate it
 * whole with {@link ConfigLoader}, and only then swap the {@link ConfigHolder}'s single reference. Every
 * trigger — the {@link ConfigWatcher}, {@link SignalReload}, the admin reload call — goes through
 * {@link #reload}, which is serialized so two triggers never interleave a load and a swap.
 *
 * <p>Metrics: {@code quotagate_config_reloads_total{result="success"}} counts swaps and
 * {@code result="failure"} counts refused files. A file whose bytes equal the config in force counts
 * nothing, so a repeated SIGHUP or admin call does not look like a config change on a dashboard.
 */
public final class ConfigReloader {

    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    private final Path file;
    private final ConfigHolder holder;
    private final GatewayMetrics metrics;
    private final List<Consumer<GatewayConfig>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean lastReloadFailed;

    /**
     * @param file    the path given on the command line, as is: when it is a symlink (a Kubernetes
     *                ConfigMap), it is followed afresh on every reload
     * @param holder  holds the config the gateway started with
     * @param metrics where reloads are counted
     */
    public ConfigReloader(Path file, ConfigHolder holder, GatewayMetrics metrics) {
        this.file = Objects.requireNonNull(file, "file");
        this.holder = Objects.requireNonNull(holder, "holder");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** The config file this reloader reads. */
    public Path file() {
        return file;
    }

    /**
     * Whether the last reload found the file unreadable or invalid: the config in force stays, and {@code /readyz}
     * says {@code config_invalid} until a reload loads the file again (applied or unchanged).
     */
    public boolean lastReloadFailed() {
        return lastReloadFailed;
    }

    /** Content hash of the config in force now. */
    public String hashInForce() {
        return holder.current().config().contentHash();
    }

    /**
     * Registers {@code listener} to be called with each new config after it is in force, on the thread that
     * reloaded and before {@link #reload} returns. A listener that throws is logged and does not undo the
     * swap or stop the other listeners.
     */
    public void onApplied(Consumer<GatewayConfig> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Loads the file and, if it is valid and differs from the config in force, swaps it in.
     *
     * @param trigger what asked for the reload ({@code watch}, {@code poll}, {@code SIGHUP}, {@code admin}),
     *                for the log
     */
    public synchronized ReloadResult reload(String trigger) {
        GatewayConfig next;
        try {
            next = ConfigLoader.load(file);
        } catch (ConfigException e) {
            metrics.configReload(false);
            lastReloadFailed = true;
            log.warn("config reload ({}) refused, the config in force ({}) stays: {}", trigger, hashInForce(),
                    e.getMessage());
            return new ReloadResult.Failed(e, hashInForce());
        }
        lastReloadFailed = false;
        GatewayConfig before = holder.current().config();
        if (before.contentHash().equals(next.contentHash())) {
            log.info("config reload ({}): {} unchanged ({})", trigger, file, before.contentHash());
            return new ReloadResult.Unchanged(before.contentHash());
        }
        // ConfigHolder.swap returns what it replaced; taking the old hash from there keeps the log exact
        // even if something outside this class swapped the holder since.
        GatewayConfig replaced = holder.swap(next).config();
        metrics.configReload(true);
        log.info("config reload ({}): {} now in force, {} -> {}", trigger, file, replaced.contentHash(),
                next.contentHash());
        List<String> restartRequired = RestartOnlySettings.changed(replaced, next);
        for (String setting : restartRequired) {
            log.warn("config reload ({}): {} applies only after a restart; the running value is kept", trigger,
                    setting);
        }
        notifyListeners(next);
        return new ReloadResult.Applied(replaced.contentHash(), next, restartRequired);
    }

    private void notifyListeners(GatewayConfig next) {
        for (Consumer<GatewayConfig> listener : listeners) {
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                log.error("config reload listener {} failed; the new config stays in force", listener, e);
            }
        }
    }
}
