package io.quotagate.gateway.reload;

import static io.quotagate.gateway.reload.ReloadFixtures.await;
import static io.quotagate.gateway.reload.ReloadFixtures.qpsInForce;
import static io.quotagate.gateway.reload.ReloadFixtures.reloads;
import static io.quotagate.gateway.reload.ReloadFixtures.started;
import static io.quotagate.gateway.reload.ReloadFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.route.ConfigHolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP reloads the file off the signal thread; a broken file is refused the same way. */
class SignalReloadTest {

    @TempDir
    Path dir;

    @Test
    void realSighupToThisProcessReloads() throws Exception {
        Path file = dir.resolve("quotagate.yaml");
        Files.writeString(file, yaml(10));
        ConfigHolder holder = started(file);
        GatewayMetrics metrics = new GatewayMetrics(false);
        try (SignalReload signal = SignalReload.install(new ConfigReloader(file, holder, metrics))) {
            // Without our handler a SIGHUP would shut this test JVM down, so send one only if it is in place.
            assumeTrue(signal.installed(), "SIGHUP handler not available on this platform");
            Files.writeString(file, yaml(20));

            Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid()))
                    .inheritIO().start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(kill.exitValue()).isZero();

            assertThat(await(() -> qpsInForce(holder) == 20)).as("reloaded by SIGHUP").isTrue();
            assertThat(reloads(metrics, "success")).isEqualTo(1.0);
        }
    }

    @Test
    void handlerPathRefusesABrokenFile() throws Exception {
        Path file = dir.resolve("quotagate.yaml");
        Files.writeString(file, yaml(10));
        ConfigHolder holder = started(file);
        ConfigHolder.Active before = holder.current();
        GatewayMetrics metrics = new GatewayMetrics(false);
        try (SignalReload signal = SignalReload.install(new ConfigReloader(file, holder, metrics))) {
            Files.writeString(file, "groups: [");

            signal.trigger();

            assertThat(await(() -> reloads(metrics, "failure") == 1.0)).as("failure counted").isTrue();
            assertThat(holder.current()).isSameAs(before);
            assertThat(qpsInForce(holder)).isEqualTo(10);
        }
    }
}
