package io.quotagate.gateway.events;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One billing event. The {@code id} is stable: it names the fact (for example the crossing of one threshold of
 * one group after one grant), so the same fact noticed twice, on one replica or two, is one event, and a receiver
 * deduplicates deliveries by it.
 *
 * @param group null for tenant-wide events
 * @param data  the type's own fields (numbers, strings, ISO-8601 instants as strings), in a stable order
 */
public record BillingEvent(String id, EventType type, String tenant, String group, Instant occurredAt,
                           Map<String, Object> data) {

    public BillingEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(occurredAt, "occurredAt");
        data = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
    }

    /** The same event under another id (the store appends a grant generation or a change count). */
    public BillingEvent withId(String newId) {
        return new BillingEvent(newId, type, tenant, group, occurredAt, data);
    }
}
