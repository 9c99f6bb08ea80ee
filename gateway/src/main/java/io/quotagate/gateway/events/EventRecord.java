package io.quotagate.gateway.events;

import java.time.Instant;

/**
 * An event as the store keeps it: the event and where its delivery stands.
 *
 * @param attempts    delivery attempts started so far
 * @param lastError   why the last attempt failed, or null
 * @param deliveredAt when a receiver answered 2xx, or null
 */
public record EventRecord(BillingEvent event, Status status, int attempts, String lastError, Instant deliveredAt) {

    public enum Status {
        /** Waiting for its (next) attempt. */
        PENDING,
        DELIVERED,
        /** Parked after {@code max_attempts}; {@code events replay ID} queues it again. */
        FAILED;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
