package io.quotagate.gateway.config;

import java.time.Duration;

/**
 * What the metrics endpoint exposes.
 *
 * @param tenantLabel       whether request metrics carry a {@code tenant} label (off for many tenants)
 * @param lowCallsThreshold a count-mode tenant with fewer usable calls than this in a group counts as low on calls
 * @param lowCallsInterval  how often the tenants low on calls are counted from the store
 * @param lowCallsMaxTenants at most this many tenants are read per count (bounds its cost on the store)
 */
public record MetricsConfig(boolean tenantLabel, long lowCallsThreshold, Duration lowCallsInterval, int lowCallsMaxTenants) {

    public static final long DEFAULT_LOW_CALLS_THRESHOLD = 20;
    public static final Duration DEFAULT_LOW_CALLS_INTERVAL = Duration.ofMinutes(1);
    public static final int DEFAULT_LOW_CALLS_MAX_TENANTS = 10_000;

    /** The defaults, with the tenant label on or off. */
    public MetricsConfig(boolean tenantLabel) {
        this(tenantLabel, DEFAULT_LOW_CALLS_THRESHOLD, DEFAULT_LOW_CALLS_INTERVAL, DEFAULT_LOW_CALLS_MAX_TENANTS);
    }
}
