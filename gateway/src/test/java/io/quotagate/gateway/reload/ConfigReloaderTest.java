package io.quotagate.gateway.reload;

import static io.quotagate.gateway.reload.ReloadFixtures.qpsInForce;
import static io.quotagate.gateway.reload.ReloadFixtures.reloads;
import static io.quotagate.gateway.reload.ReloadFixtures.started;
import static io.quotagate.gateway.reload.ReloadFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.config.OnError;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.route.ConfigHolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A direct reload: validate whole, swap one reference, count, tell listeners; refuse a bad file. */
class ConfigReloaderTest {

    @TempDir
    Path dir;

    private Path file;
    private ConfigHolder holder;
    private GatewayMetrics metrics;
    private ConfigReloader reloader;
    private final List<GatewayConfig> applied = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("quotagate.yaml");
        Files.writeString(file, yaml(10));
        holder = started(file);
        metrics = new GatewayMetrics(false);
        reloader = new ConfigReloader(file, holder, metrics);
        reloader.onApplied(applied::add);
    }

    @Test
    void changedFileIsSwappedInCountedAndAnnounced() throws Exception {
        String before = holder.current().config().contentHash();
        Files.writeString(file, yaml(20));

        ReloadResult result = reloader.reload("test");

        ReloadResult.Applied done = (ReloadResult.Applied) result;
        assertThat(done.previousHash()).isEqualTo(before);
        assertThat(done.config()).isSameAs(holder.current().config());
        assertThat(done.hashInForce()).isEqualTo(ConfigWatcher.contentHash(file)).isNotEqualTo(before);
        assertThat(done.restartRequired()).isEmpty();
        assertThat(qpsInForce(holder)).isEqualTo(20);
        assertThat(holder.current().routes().match("POST", "/v1/portrait/generate").orElseThrow()
                .group().countModeQps()).isEqualTo(20);
        assertThat(applied).containsExactly(done.config());
        assertThat(reloads(metrics, "success")).isEqualTo(1.0);
        assertThat(reloads(metrics, "failure")).isEqualTo(0.0);
    }

    @Test
    void invalidFileChangesNothingAndNamesFileLineAndKeyPath() throws Exception {
        ConfigHolder.Active before = holder.current();
        Files.writeString(file, yaml(0));

        ReloadResult result = reloader.reload("admin");

        ReloadResult.Failed failed = (ReloadResult.Failed) result;
        assertThat(failed.error().getMessage())
                .isEqualTo(file + ":3: groups.portrait.count_mode_qps: 0 (expected: >= 1)");
        assertThat(failed.error().line()).isEqualTo(3);
        assertThat(failed.error().keyPath()).isEqualTo("groups.portrait.count_mode_qps");
        assertThat(failed.hashInForce()).isEqualTo(before.config().contentHash());
        assertThat(holder.current()).isSameAs(before);
        assertThat(applied).isEmpty();
        assertThat(reloads(metrics, "failure")).isEqualTo(1.0);
        assertThat(reloads(metrics, "success")).isEqualTo(0.0);
    }

    @Test
    void missingFileIsAFailure() throws Exception {
        ConfigHolder.Active before = holder.current();
        Files.delete(file);

        ReloadResult.Failed failed = (ReloadResult.Failed) reloader.reload("SIGHUP");

        assertThat(failed.error().getMessage()).startsWith(file + ": cannot read the file (java.nio.file.NoSuchFileException");
        assertThat(holder.current()).isSameAs(before);
        assertThat(reloads(metrics, "failure")).isEqualTo(1.0);
    }

    @Test
    void sameBytesSwapNothingAndCountNothing() throws Exception {
        ConfigHolder.Active before = holder.current();
        Files.writeString(file, yaml(10));

        ReloadResult result = reloader.reload("SIGHUP");

        assertThat(result).isEqualTo(new ReloadResult.Unchanged(before.config().contentHash()));
        assertThat(holder.current()).isSameAs(before);
        assertThat(applied).isEmpty();
        assertThat(reloads(metrics, "success")).isEqualTo(0.0);
        assertThat(reloads(metrics, "failure")).isEqualTo(0.0);
    }

    @Test
    void restartOnlySettingsAreReportedButTheRestApplies() throws Exception {
        Files.writeString(file, "server: { port: 8081, io_threads: 4 }\n"
                + "admin: { port: 9191 }\n"
                + "store: { type: redis, redis: { address: \"redis://10.0.0.5:6379\" }, on_error: allow }\n"
                + "metrics: { tenant_label: false }\n" + yaml(30));

        ReloadResult.Applied done = (ReloadResult.Applied) reloader.reload("watch");

        assertThat(done.restartRequired()).containsExactly(
                "server.port: 8080 -> 8081",
                "server.io_threads: 0 -> 4",
                "admin.port: 9090 -> 9191",
                "store.type: MEMORY -> REDIS",
                "store.redis: changed",
                "metrics.tenant_label: true -> false");
        // The whole file is in force (config show prints it); the composition root keeps the bound values.
        assertThat(holder.current().config().server().port()).isEqualTo(8081);
        assertThat(qpsInForce(holder)).isEqualTo(30);
        assertThat(holder.current().config().store().onError()).isEqualTo(OnError.ALLOW);
    }

    @Test
    void aThrowingListenerDoesNotUndoTheSwapOrStopOthers() throws Exception {
        ConfigReloader withBadListener = new ConfigReloader(file, holder, metrics);
        List<Integer> seen = new ArrayList<>();
        withBadListener.onApplied(config -> {
            throw new IllegalStateException("listener bug");
        });
        withBadListener.onApplied(config -> seen.add(config.groups().get("portrait").countModeQps()));
        Files.writeString(file, yaml(40));

        assertThat(withBadListener.reload("test")).isInstanceOf(ReloadResult.Applied.class);

        assertThat(qpsInForce(holder)).isEqualTo(40);
        assertThat(seen).containsExactly(40);
    }

    @Test
    void concurrentReloadsOfOneChangeSwapOnce() throws Exception {
        Files.writeString(file, yaml(50));
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<ReloadResult>> results = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return reloader.reload("race");
                }));
            }
            go.countDown();
            List<Class<?>> kinds = new ArrayList<>();
            for (Future<ReloadResult> result : results) {
                kinds.add(result.get().getClass());
            }
            // Serialized: exactly one load-and-swap wins, the rest see the new hash already in force.
            assertThat(kinds).containsOnlyOnce(ReloadResult.Applied.class)
                    .filteredOn(ReloadResult.Unchanged.class::equals).hasSize(threads - 1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(applied).hasSize(1);
        assertThat(reloads(metrics, "success")).isEqualTo(1.0);
    }
}
