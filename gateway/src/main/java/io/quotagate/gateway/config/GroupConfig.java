package io.quotagate.gateway.config;

import java.util.List;

/**
 * An interface group: routes that share one QPS quota and one set of packs.
 *
 * @param onError null to use {@code store.on_error}
 */
public record GroupConfig(String name, int countModeQps, int maxQps, OnError onError, List<RouteConfig> routes) {

    public GroupConfig {
        routes = List.copyOf(routes);
    }
}
