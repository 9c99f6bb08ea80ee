package io.quotagate.gateway.config;

/**
 * What the metrics endpoint exposes.
 *
 * @param tenantLabel whether request metrics carry a {@code tenant} label (off for many tenants)
 */
public record MetricsConfig(boolean tenantLabel) {
}
