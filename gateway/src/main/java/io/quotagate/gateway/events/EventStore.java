package io.quotagate.gateway.events;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

/**
 * Where events are decided once and queued, shared by every replica: {@code MemoryEventStore} (one node) and
 * {@code RedisEventStore}. Each emit records the event under its id only if the id is new (SET NX on Redis), and
 * a new event enters the outbox: a schedule of due times from which one replica at a time {@link #claim}s an
 * event for a lease, so a replica that dies mid-delivery leaves it due again when the lease ends. Expiry
 * reminders are a second schedule of due times, claimed the same way.
 *
 * <p>Times are the caller's clock (injectable in tests). A returned stage completes exceptionally only when the
 * store failed; every step is idempotent, so the caller may repeat it.
 */
public interface EventStore extends AutoCloseable {

    /** Records {@code event} and queues it, once per id; false when the id was recorded before. */
    CompletionStage<Boolean> emit(BillingEvent event);

    /**
     * As {@link #emit}, the id suffixed with {@code :g<N>}, N the tenant and group's grant generation (0 before
     * any recorded grant): the crossing of a threshold is one event per grant, not one ever.
     */
    CompletionStage<Boolean> emitForGrant(BillingEvent event);

    /**
     * A {@code grant_applied} event, once per id; when new, a grant of {@code calls} calls (0 for QPS and
     * template grants, which do not move call thresholds) starts a new grant generation of the tenant and group,
     * and becomes the base of share thresholds.
     */
    CompletionStage<Boolean> emitGrant(BillingEvent event, long calls);

    /**
     * A status change of a tenant ({@code status} is the new status): emitted only when it differs from the last
     * one emitted, with the id suffixed by the change count, so a repeated suspend is not a second event.
     */
    CompletionStage<Boolean> emitStatus(BillingEvent event, String status);

    /** The calls of the last call grant of a tenant's group, if one was recorded. */
    CompletionStage<OptionalLong> lastGrantCalls(String tenant, String group);

    /** Schedules a reminder; idempotent by its id (a later schedule of the same id moves its due time). */
    CompletionStage<Void> schedule(Reminder reminder);

    /** Up to {@code limit} reminders due at {@code now}, each leased for {@code lease} (due again after it). */
    CompletionStage<List<Reminder>> claimReminders(Instant now, Duration lease, int limit);

    /** A reminder was handled (emitted or found obsolete): it leaves the schedule. */
    CompletionStage<Void> reminderDone(String id);

    /** One event due at {@code now}, leased for {@code lease}, its attempt counted; empty when none is due. */
    CompletionStage<Optional<EventRecord>> claim(Instant now, Duration lease);

    CompletionStage<Void> delivered(String id, Instant at);

    /** A failed attempt: due again at {@code nextAttempt}, or parked as failed when that is null. */
    CompletionStage<Void> failed(String id, String error, Instant nextAttempt);

    /** The latest events, newest first. */
    CompletionStage<List<EventRecord>> recent(int limit);

    CompletionStage<Optional<EventRecord>> find(String id);

    /** Queues a known event again (any status), due at {@code now}, attempts reset; empty for an unknown id. */
    CompletionStage<Optional<EventRecord>> replay(String id, Instant now);

    @Override
    void close();
}
