package io.quotagate.gateway.events;

import java.util.Locale;

/** The kinds of billing event; {@link #wire()} is the {@code type} field of the JSON. */
public enum EventType {
    /** Calls remaining of a group fell below its {@code low_calls} threshold. */
    CALLS_LOW,
    /** A charge took the last call of a group. */
    CALLS_EXHAUSTED,
    /** A lot with calls left expires within {@code lot_expiry_notice}. */
    LOT_EXPIRING,
    /** A QPS purchase ends within {@code qps_end_notice}. */
    QPS_PURCHASE_ENDING,
    TENANT_SUSPENDED,
    TENANT_RESUMED,
    /** A pack, a QPS purchase or template slots were granted (once per order). */
    GRANT_APPLIED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EventType ofWire(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
