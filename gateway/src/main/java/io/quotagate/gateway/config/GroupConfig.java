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

    /** What this group does when the store cannot be reached: its own {@code on_error}, else the store's. */
    public OnError effectiveOnError(StoreConfig store) {
        return onError != null ? onError : store.onError();
    }
}
