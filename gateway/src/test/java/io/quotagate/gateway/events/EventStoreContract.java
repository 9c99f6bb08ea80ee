package io.quotagate.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.store.StoreFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rules every {@link EventStore} keeps, run against each implementation (memory and Redis). */
abstract class EventStoreContract {

    static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    static final Duration LEASE = Duration.ofSeconds(30);
    protected EventStore store;

    /** A new, empty store. */
    protected abstract EventStore newStore();

    @BeforeEach
    void open() {
        store = newStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void anEventIdIsEmittedOnceAndQueuedOnce() {
        assertThat(await(store.emit(event("e1", T0)))).isTrue();
        assertThat(await(store.emit(event("e1", T0.plusSeconds(5))))).isFalse();

        EventRecord claimed = await(store.claim(T0, LEASE)).orElseThrow();
        assertThat(claimed.event()).isEqualTo(event("e1", T0));
        assertThat(claimed.attempts()).isEqualTo(1);
        assertThat(claimed.status()).isEqualTo(EventRecord.Status.PENDING);
        assertThat(await(store.claim(T0, LEASE))).isEmpty();
    }

    @Test
    void aClaimIsALeaseThatEndsSoADeadReplicasEventIsClaimedAgain() {
        await(store.emit(event("e1", T0)));
        assertThat(await(store.claim(T0, LEASE))).isPresent();

        assertThat(await(store.claim(T0.plus(LEASE).minusMillis(1), LEASE))).isEmpty();
        EventRecord again = await(store.claim(T0.plus(LEASE), LEASE)).orElseThrow();
        assertThat(again.attempts()).isEqualTo(2);
    }

    @Test
    void aDeliveredEventLeavesTheOutbox() {
        await(store.emit(event("e1", T0)));
        await(store.claim(T0, LEASE));
        await(store.delivered("e1", T0.plusSeconds(1)));

        assertThat(await(store.claim(T0.plus(Duration.ofDays(1)), LEASE))).isEmpty();
        EventRecord record = await(store.find("e1")).orElseThrow();
        assertThat(record.status()).isEqualTo(EventRecord.Status.DELIVERED);
        assertThat(record.deliveredAt()).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void aFailedAttemptIsDueAgainAtItsNextAttemptOrParked() {
        await(store.emit(event("e1", T0)));
        await(store.claim(T0, LEASE));
        await(store.failed("e1", "status 500", T0.plusSeconds(2)));

        assertThat(await(store.claim(T0.plusSeconds(1), LEASE))).isEmpty();
        EventRecord second = await(store.claim(T0.plusSeconds(2), LEASE)).orElseThrow();
        assertThat(second.attempts()).isEqualTo(2);
        assertThat(second.lastError()).isEqualTo("status 500");

        await(store.failed("e1", "timeout", null));
        assertThat(await(store.claim(T0.plus(Duration.ofDays(1)), LEASE))).isEmpty();
        assertThat(await(store.find("e1")).orElseThrow().status()).isEqualTo(EventRecord.Status.FAILED);

        EventRecord replayed = await(store.replay("e1", T0.plusSeconds(10))).orElseThrow();
        assertThat(replayed.status()).isEqualTo(EventRecord.Status.PENDING);
        assertThat(await(store.claim(T0.plusSeconds(10), LEASE)).orElseThrow().event().id()).isEqualTo("e1");
        assertThat(await(store.replay("nope", T0))).isEmpty();
    }

    @Test
    void crossingsAreOncePerGrantGeneration() {
        BillingEvent low = new BillingEvent("calls_low:acme:portrait:20", EventType.CALLS_LOW, "acme", "portrait", T0,
                Map.of("calls_remaining", 19L));
        assertThat(await(store.emitForGrant(low))).isTrue();
        assertThat(await(store.emitForGrant(low))).isFalse();
        assertThat(await(store.lastGrantCalls("acme", "portrait"))).isEqualTo(OptionalLong.empty());

        BillingEvent grant = new BillingEvent("grant_applied:acme:o1", EventType.GRANT_APPLIED, "acme", "portrait", T0,
                Map.of("calls", 1000L));
        assertThat(await(store.emitGrant(grant, 1000))).isTrue();
        assertThat(await(store.emitGrant(grant, 1000))).isFalse(); // a repeated order is not a new generation
        assertThat(await(store.lastGrantCalls("acme", "portrait"))).isEqualTo(OptionalLong.of(1000));
        assertThat(await(store.emitForGrant(low))).isTrue();
        assertThat(await(store.emitForGrant(low))).isFalse();

        assertThat(ids()).containsExactlyInAnyOrder("calls_low:acme:portrait:20:g0", "grant_applied:acme:o1",
                "calls_low:acme:portrait:20:g1");
    }

    @Test
    void statusEventsAreOncePerChange() {
        assertThat(await(store.emitStatus(status(EventType.TENANT_RESUMED), "active"))).isFalse();
        assertThat(await(store.emitStatus(status(EventType.TENANT_SUSPENDED), "suspended"))).isTrue();
        assertThat(await(store.emitStatus(status(EventType.TENANT_SUSPENDED), "suspended"))).isFalse();
        assertThat(await(store.emitStatus(status(EventType.TENANT_RESUMED), "active"))).isTrue();
        assertThat(await(store.emitStatus(status(EventType.TENANT_SUSPENDED), "suspended"))).isTrue();

        assertThat(ids()).containsExactly("tenant_suspended:acme:3", "tenant_resumed:acme:2", "tenant_suspended:acme:1");
    }

    @Test
    void remindersAreClaimedWhenDueLeasedAndDoneOnce() {
        BillingEvent expiring = new BillingEvent("lot_expiring:acme:portrait:L1", EventType.LOT_EXPIRING, "acme",
                "portrait", T0.plusSeconds(100), Map.of("lot_id", "L1"));
        await(store.schedule(new Reminder(T0.plusSeconds(100), expiring)));
        await(store.schedule(new Reminder(T0.plusSeconds(100), expiring))); // idempotent

        assertThat(await(store.claimReminders(T0.plusSeconds(99), LEASE, 10))).isEmpty();
        List<Reminder> due = await(store.claimReminders(T0.plusSeconds(100), LEASE, 10));
        assertThat(due).containsExactly(new Reminder(T0.plusSeconds(100), expiring));
        assertThat(await(store.claimReminders(T0.plusSeconds(101), LEASE, 10))).isEmpty();
        assertThat(await(store.claimReminders(T0.plusSeconds(100).plus(LEASE), LEASE, 10))).hasSize(1);

        await(store.reminderDone(expiring.id()));
        assertThat(await(store.claimReminders(T0.plus(Duration.ofDays(9)), LEASE, 10))).isEmpty();
    }

    @Test
    void recentListsNewestFirst() {
        await(store.emit(event("a", T0)));
        await(store.emit(event("b", T0.plusSeconds(1))));
        await(store.emit(event("c", T0.plusSeconds(2))));

        assertThat(await(store.recent(2))).extracting(r -> r.event().id()).containsExactly("c", "b");
        assertThat(await(store.find("zz"))).isEqualTo(Optional.empty());
    }

    private List<String> ids() {
        return await(store.recent(100)).stream().map(r -> r.event().id()).toList();
    }

    static BillingEvent event(String id, Instant at) {
        return new BillingEvent(id, EventType.CALLS_EXHAUSTED, "acme", "portrait", at, Map.of("calls_remaining", 0L));
    }

    private static BillingEvent status(EventType type) {
        return new BillingEvent(type.wire() + ":acme", type, "acme", null, T0, Map.of("status", "x"));
    }

    static <T> T await(CompletionStage<T> stage) {
        return StoreFixture.await(stage);
    }
}
