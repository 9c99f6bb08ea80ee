package io.quotagate.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.ConfigLoader;
import io.quotagate.gateway.config.GatewayConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The config and its route table are published and replaced together. */
class ConfigHolderTest {

    private static GatewayConfig config(String route, int countModeQps) throws Exception {
        return ConfigLoader.parse("groups:\n  g:\n    count_mode_qps: " + countModeQps
                + "\n    routes: [ { match: \"" + route + "\" } ]\n", "holder.yaml", Map.of());
    }

    @Test
    void currentPairsConfigWithItsRoutes() throws Exception {
        GatewayConfig first = config("GET /old", 10);
        ConfigHolder holder = new ConfigHolder(first);
        ConfigHolder.Active active = holder.current();
        assertThat(active.config()).isSameAs(first);
        assertThat(active.routes().match("GET", "/old")).isPresent();
    }

    @Test
    void swapReplacesBothAtOnceAndReturnsThePrevious() throws Exception {
        ConfigHolder holder = new ConfigHolder(config("GET /old", 10));
        ConfigHolder.Active before = holder.current();
        GatewayConfig next = config("GET /new", 20);

        ConfigHolder.Active replaced = holder.swap(next);

        assertThat(replaced).isSameAs(before);
        ConfigHolder.Active after = holder.current();
        assertThat(after.config()).isSameAs(next);
        assertThat(after.routes().match("GET", "/new").orElseThrow().group().countModeQps()).isEqualTo(20);
        assertThat(after.routes().match("GET", "/old")).isEmpty();
        // A request that took the old snapshot keeps a consistent view until it finishes.
        assertThat(before.routes().match("GET", "/old").orElseThrow().group().countModeQps()).isEqualTo(10);
        assertThat(before.routes().match("GET", "/new")).isEmpty();
    }
}
