package io.quotagate.gateway.events;

import java.time.Instant;

/**
 * An event to emit later: when {@code dueAt} comes, the dispatcher checks it still applies (a lot may have been
 * used up meanwhile) and emits {@code event}. Its id is the event's id, so scheduling twice is harmless.
 */
public record Reminder(Instant dueAt, BillingEvent event) {

    public String id() {
        return event.id();
    }
}
