package io.quotagate.gateway.route;

import io.quotagate.gateway.config.GatewayConfig;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The configuration in force and the route table built from it, published together behind one
 * reference (STYLE rule 8). A request reads {@link #current()} once and uses that snapshot
 * throughout, so a reload never shows it half of the old config and half of the new; a reload builds
 * a whole new snapshot and {@link #swap}s it in. It lives in {@code route} rather than {@code config}
 * because it derives a {@link RouteTable}, and {@code config} imports nothing of ours.
 */
public final class ConfigHolder {

    /** One consistent pair: the config and the routes derived from it. */
    public record Active(GatewayConfig config, RouteTable routes) {

        public Active {
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(routes, "routes");
        }

        public static Active of(GatewayConfig config) {
            return new Active(config, RouteTable.of(config));
        }
    }

    private final AtomicReference<Active> current;

    public ConfigHolder(GatewayConfig initial) {
        this.current = new AtomicReference<>(Active.of(initial));
    }

    public Active current() {
        return current.get();
    }

    /**
     * Builds the snapshot for {@code next} (already validated: {@link io.quotagate.gateway.config.ConfigLoader}
     * returns only whole, valid configs) and publishes it; returns the snapshot it replaced. Counters live
     * in the store, so nothing is reset.
     */
    public Active swap(GatewayConfig next) {
        return current.getAndSet(Active.of(next));
    }
}
