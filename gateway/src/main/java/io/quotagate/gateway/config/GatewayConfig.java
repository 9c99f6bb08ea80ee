package io.quotagate.gateway.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The whole configuration of one gateway replica, as loaded from one YAML file. Immutable: a reload
 * builds a new instance and swaps one reference.
 *
 * @param source      where it was read from (a file path, or a name for configs built in code)
 * @param contentHash SHA-256 of the file's bytes, hex; lets operators check that replicas agree
 * @param groups      in file order, which is the order routes are matched in (first match wins)
 * @param overrides   tenant id → group name → override
 * @param quotaApi    the client quota endpoint on the public listener
 * @param events      billing events to a webhook
 */
public record GatewayConfig(
        ServerConfig server,
        AdminConfig admin,
        StatusConfig status,
        UpstreamConfig upstream,
        StoreConfig store,
        Defaults defaults,
        Map<String, GroupConfig> groups,
        Map<String, Map<String, GroupOverride>> overrides,
        Catalog catalog,
        MetricsConfig metrics,
        QuotaApiConfig quotaApi,
        EventsConfig events,
        AccessLogConfig accessLog,
        String source,
        String contentHash) {

    public GatewayConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(defaults, "defaults");
        // Kept in file order: RouteTable matches groups in this order and the first match wins.
        groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
        Map<String, Map<String, GroupOverride>> byTenant = new LinkedHashMap<>();
        overrides.forEach((tenant, byGroup) -> byTenant.put(tenant, Map.copyOf(byGroup)));
        overrides = Collections.unmodifiableMap(byTenant);
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(quotaApi, "quotaApi");
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(accessLog, "accessLog");
    }

    /** A config with the optional sections at their defaults (configs built in code). */
    public GatewayConfig(ServerConfig server, AdminConfig admin, UpstreamConfig upstream, StoreConfig store,
                         Defaults defaults, Map<String, GroupConfig> groups,
                         Map<String, Map<String, GroupOverride>> overrides, Catalog catalog, MetricsConfig metrics,
                         String source, String contentHash) {
        this(server, admin, StatusConfig.OFF, upstream, store, defaults, groups, overrides, catalog, metrics,
                QuotaApiConfig.DEFAULT, EventsConfig.OFF, AccessLogConfig.OFF, source, contentHash);
    }

    /** A config with the quota endpoint at its default and billing events off. */
    public GatewayConfig(ServerConfig server, AdminConfig admin, StatusConfig status, UpstreamConfig upstream,
                         StoreConfig store, Defaults defaults, Map<String, GroupConfig> groups,
                         Map<String, Map<String, GroupOverride>> overrides, Catalog catalog, MetricsConfig metrics,
                         AccessLogConfig accessLog, String source, String contentHash) {
        this(server, admin, status, upstream, store, defaults, groups, overrides, catalog, metrics,
                QuotaApiConfig.DEFAULT, EventsConfig.OFF, accessLog, source, contentHash);
    }

    /** A config without the status listener and the access log. */
    public GatewayConfig(ServerConfig server, AdminConfig admin, UpstreamConfig upstream, StoreConfig store,
                         Defaults defaults, Map<String, GroupConfig> groups,
                         Map<String, Map<String, GroupOverride>> overrides, Catalog catalog, MetricsConfig metrics,
                         QuotaApiConfig quotaApi, EventsConfig events, String source, String contentHash) {
        this(server, admin, StatusConfig.OFF, upstream, store, defaults, groups, overrides, catalog, metrics,
                quotaApi, events, AccessLogConfig.OFF, source, contentHash);
    }

    /** The override of one tenant for one group, or {@link GroupOverride#NONE}. */
    public GroupOverride override(String tenant, String group) {
        Map<String, GroupOverride> byGroup = overrides.get(tenant);
        if (byGroup == null) {
            return GroupOverride.NONE;
        }
        return byGroup.getOrDefault(group, GroupOverride.NONE);
    }
}
