package io.quotagate.gateway.store;

/** How a tenant pays for one group. */
public enum BillingMode {
    /** Calls are charged to lots; QPS limited to the group's {@code count_mode_qps}. */
    COUNT,
    /** Calls are free; QPS limited to the sum of active purchases. */
    QPS;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
