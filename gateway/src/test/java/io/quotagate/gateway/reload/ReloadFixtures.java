package io.quotagate.gateway.reload;

import io.quotagate.gateway.config.ConfigLoader;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.route.ConfigHolder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Config texts, a started holder, and the waits the reload tests share. */
final class ReloadFixtures {

    /** How long a test waits for something that normally takes well under a second. */
    static final Duration DEADLINE = Duration.ofSeconds(10);

    private ReloadFixtures() {
    }

    /** A valid config whose one group has {@code count_mode_qps: qps}; line 3 is that key. */
    static String yaml(int qps) {
        return "groups:\n"
                + "  portrait:\n"
                + "    count_mode_qps: " + qps + "\n"
                + "    routes:\n"
                + "      - match: \"POST /v1/portrait/generate\"\n";
    }

    /** The holder a gateway would have after starting from {@code file}. */
    static ConfigHolder started(Path file) throws Exception {
        return new ConfigHolder(ConfigLoader.load(file));
    }

    static int qpsInForce(ConfigHolder holder) {
        return holder.current().config().groups().get("portrait").countModeQps();
    }

    /** {@code quotagate_config_reloads_total{result=...}} from the Prometheus text; 0 when not yet counted. */
    static double reloads(GatewayMetrics metrics, String result) {
        Pattern line = Pattern.compile("(?m)^quotagate_config_reloads_total\\{result=\"" + result + "\"} (\\S+)$");
        Matcher matcher = line.matcher(metrics.scrape());
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }

    /** Polls {@code condition} until it holds or {@link #DEADLINE} passes; true if it held. */
    static boolean await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() - end < 0) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }
}
