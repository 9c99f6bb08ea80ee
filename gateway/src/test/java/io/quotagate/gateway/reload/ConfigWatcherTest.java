package io.quotagate.gateway.reload;

import static io.quotagate.gateway.reload.ReloadFixtures.await;
import static io.quotagate.gateway.reload.ReloadFixtures.qpsInForce;
import static io.quotagate.gateway.reload.ReloadFixtures.reloads;
import static io.quotagate.gateway.reload.ReloadFixtures.started;
import static io.quotagate.gateway.reload.ReloadFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.route.ConfigHolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher against real files and a real directory watch: in-place edits, broken and half-written
 * files, a Kubernetes ConfigMap symlink swap, the poll fallback, and a prompt close.
 */
class ConfigWatcherTest {

    // Long enough that a test passing within it proves the directory watch, not the poll, saw the change.
    private static final Duration NO_POLL = Duration.ofHours(1);

    @TempDir
    Path dir;

    private ConfigHolder holder;
    private final GatewayMetrics metrics = new GatewayMetrics(false);
    private final List<GatewayConfig> applied = new CopyOnWriteArrayList<>();
    private ConfigWatcher watcher;

    @AfterEach
    void stop() {
        if (watcher != null) {
            watcher.close();
        }
    }

    private Path plainFile(int qps) throws Exception {
        Path file = dir.resolve("quotagate.yaml");
        Files.writeString(file, yaml(qps));
        return file;
    }

    private void watch(Path file, Duration poll, boolean useWatchService) throws Exception {
        holder = started(file);
        ConfigReloader reloader = new ConfigReloader(file, holder, metrics);
        reloader.onApplied(applied::add);
        watcher = new ConfigWatcher(reloader, ConfigWatcher.DEFAULT_DEBOUNCE, poll, useWatchService);
        watcher.start();
    }

    @Test
    void editInPlaceIsInForceWithinSeconds() throws Exception {
        Path file = plainFile(10);
        watch(file, NO_POLL, true);

        Files.writeString(file, yaml(25));

        assertThat(await(() -> qpsInForce(holder) == 25)).as("new config in force").isTrue();
        // The reload swaps the config, then counts it: wait for the count too, then check it is exactly one.
        assertThat(await(() -> reloads(metrics, "success") >= 1.0)).as("reload counted").isTrue();
        assertThat(reloads(metrics, "success")).isEqualTo(1.0);
        assertThat(holder.current().config().contentHash()).isEqualTo(ConfigWatcher.contentHash(file));
    }

    @Test
    void brokenFileKeepsTheOldConfigAndCountsOneFailure() throws Exception {
        Path file = plainFile(10);
        watch(file, Duration.ofMillis(200), true);
        ConfigHolder.Active before = holder.current();

        Files.writeString(file, yaml(-1));

        assertThat(await(() -> reloads(metrics, "failure") == 1.0)).as("failure counted").isTrue();
        assertThat(holder.current()).isSameAs(before);
        // Several polls later the same broken bytes have not been tried again.
        Thread.sleep(600);
        assertThat(reloads(metrics, "failure")).isEqualTo(1.0);
        assertThat(applied).isEmpty();
    }

    @Test
    void halfWrittenFileChangesNothingAndTheCompletedOneApplies() throws Exception {
        Path file = plainFile(10);
        watch(file, NO_POLL, true);
        ConfigHolder.Active before = holder.current();
        String whole = yaml(35);
        // Cut inside the quoted match: an unterminated string, as an editor or cp leaves it mid-write.
        String half = whole.substring(0, whole.indexOf("portrait/generate"));

        Files.writeString(file, half);
        assertThat(await(() -> reloads(metrics, "failure") == 1.0)).as("half file seen and refused").isTrue();
        assertThat(holder.current()).isSameAs(before);

        Files.writeString(file, whole);
        assertThat(await(() -> qpsInForce(holder) == 35)).as("completed file in force").isTrue();
        assertThat(reloads(metrics, "failure")).isEqualTo(1.0);
        assertThat(reloads(metrics, "success")).isEqualTo(1.0);
    }

    @Test
    void kubernetesConfigMapSymlinkSwapIsSeen() throws Exception {
        // The layout kubelet writes: quotagate.yaml -> ..data/quotagate.yaml, ..data -> ..<timestamp>.
        Path first = Files.createDirectory(dir.resolve("..2026_01_01_00_00_00.1"));
        Files.writeString(first.resolve("quotagate.yaml"), yaml(10));
        Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
        Path file = Files.createSymbolicLink(dir.resolve("quotagate.yaml"), Path.of("..data", "quotagate.yaml"));
        watch(file, NO_POLL, true);

        Path second = Files.createDirectory(dir.resolve("..2026_01_01_00_05_00.2"));
        Files.writeString(second.resolve("quotagate.yaml"), yaml(45));
        Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
        Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
        Files.delete(first.resolve("quotagate.yaml"));
        Files.delete(first);

        assertThat(await(() -> qpsInForce(holder) == 45)).as("swapped config in force").isTrue();
        assertThat(holder.current().config().source()).isEqualTo(file.toString());
        assertThat(reloads(metrics, "success")).isEqualTo(1.0);
        assertThat(reloads(metrics, "failure")).isEqualTo(0.0);
    }

    @Test
    void pollAloneFindsAChangeWhenNoEventArrives() throws Exception {
        Path file = plainFile(10);
        watch(file, Duration.ofMillis(300), false);

        Files.writeString(file, yaml(55));

        assertThat(await(() -> qpsInForce(holder) == 55)).as("polled config in force").isTrue();
        assertThat(reloads(metrics, "success")).isEqualTo(1.0);
    }

    @Test
    void rewritingTheSameBytesSwapsNothing() throws Exception {
        Path file = plainFile(10);
        watch(file, Duration.ofMillis(200), true);
        ConfigHolder.Active before = holder.current();

        Files.writeString(file, yaml(10));
        Thread.sleep(700); // covers the debounce and several polls; the assertion below is not about timing
        assertThat(holder.current()).isSameAs(before);

        // A real change afterwards is the only one applied: the rewrite neither swapped nor counted.
        Files.writeString(file, yaml(65));
        assertThat(await(() -> qpsInForce(holder) == 65)).isTrue();
        assertThat(applied).extracting(c -> c.groups().get("portrait").countModeQps()).containsExactly(65);
        assertThat(reloads(metrics, "success")).isEqualTo(1.0);
    }

    @Test
    void closeStopsTheThreadPromptly() throws Exception {
        Path file = plainFile(10);
        watch(file, NO_POLL, true);
        assertThat(watcher.isRunning()).isTrue();

        long started = System.nanoTime();
        watcher.close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        assertThat(watcher.isRunning()).isFalse();
        Files.writeString(file, yaml(75));
        Thread.sleep(500);
        assertThat(qpsInForce(holder)).isEqualTo(10);
    }

    @Test
    void pollOnlyWatcherAlsoClosesPromptly() throws Exception {
        watch(plainFile(10), NO_POLL, false);

        long started = System.nanoTime();
        watcher.close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        assertThat(watcher.isRunning()).isFalse();
    }
}
