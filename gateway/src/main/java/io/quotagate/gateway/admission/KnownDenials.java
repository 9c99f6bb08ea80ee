package io.quotagate.gateway.admission;

import io.quotagate.gateway.store.AdmitCommand;
import io.quotagate.gateway.store.AdmitResult;
import io.quotagate.gateway.store.AdmitResult.Denied;
import io.quotagate.gateway.store.AdmitResult.Reason;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.TemplateUse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Denials this replica can repeat without asking the store, because nothing but a store change it hears about
 * could turn them into admissions before a known instant (so they cost no round trip, and a client hammering past
 * its limit costs Redis nothing):
 * <ul>
 *   <li>{@code qps_exceeded} in count mode: the window holds the limit's worth of admissions until the oldest of
 *   them leaves it; only admissions could move that instant, and there are none while it is full. The limit is
 *   config's (the entry is used only for the same limit), so only a reload could raise it.</li>
 *   <li>{@code calls_exhausted}: fewer calls than the cost are left; only a grant or a refund adds calls.</li>
 * </ul>
 * Every change that could add calls or raise a limit (a grant, a refund, a QPS purchase, a mode, status or key
 * change) is published by the store and drops the tenant's entries on every replica
 * ({@link io.quotagate.gateway.store.QuotaStore#subscribeToChanges}); a reply that was on its way while such a
 * change arrived is not remembered (the change epoch moved). As a safety net against a missed message an entry
 * lives at most {@link #MAX_AGE_NANOS}. A denial is repeated only to a request the store would deny for the same
 * reason first: same key, group and limit, and for {@code qps_exceeded} a request whose cost the calls last seen
 * cover and that takes no template slot.
 */
final class KnownDenials {

    static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Bounds memory: past this many keys the map is cleared (the next denials are asked again). */
    private static final int MAX_ENTRIES = 100_000;

    private record Entry(String tenant, String group, Denied denial, int limit, long untilNanos) {
    }

    private final Map<String, Entry> byDigest = new ConcurrentHashMap<>();
    private final AtomicLong epoch = new AtomicLong();

    /** Taken before a store call; {@link #remember} ignores the answer if a change arrived meanwhile. */
    long epoch() {
        return epoch.get();
    }

    /** The store denied {@code c}: keep the denial if it is one of the known kinds. */
    void remember(AdmitCommand c, AdmitResult result, long sentNanos, long epochAtSend) {
        if (!(result instanceof Denied d) || d.mode() != BillingMode.COUNT) {
            return;
        }
        long until;
        if (d.reason() == Reason.QPS_EXCEEDED && c.qpsLimited()) {
            // Retry-After is rounded up to the ms; one ms less keeps the entry within the true instant.
            until = sentNanos + TimeUnit.MILLISECONDS.toNanos(Math.max(0, d.retryAfterMillis() - 1));
        } else if (d.reason() == Reason.CALLS_EXHAUSTED) {
            until = sentNanos + MAX_AGE_NANOS;
        } else {
            return;
        }
        if (epoch.get() != epochAtSend) {
            return;
        }
        if (byDigest.size() >= MAX_ENTRIES) {
            byDigest.clear();
        }
        byDigest.put(c.keyDigest(), new Entry(c.tenantId(), c.group(), d, c.countModeQps(),
                Math.min(until, sentNanos + MAX_AGE_NANOS)));
    }

    /** The denial the store would give {@code c} now, or null when only the store can tell. */
    Denied lookup(AdmitCommand c, long nowNanos) {
        Entry e = byDigest.get(c.keyDigest());
        if (e == null || !e.group().equals(c.group()) || !e.tenant().equals(c.tenantId())) {
            return null;
        }
        if (nowNanos - e.untilNanos() >= 0) {
            byDigest.remove(c.keyDigest(), e);
            return null;
        }
        Denied d = e.denial();
        if (d.reason() == Reason.CALLS_EXHAUSTED) {
            return c.cost() > d.callsRemaining() ? d : null;
        }
        boolean sameFirstReason = c.qpsLimited() && c.countModeQps() == e.limit() && c.templates() == TemplateUse.NONE
                && c.cost() <= d.callsRemaining();
        if (!sameFirstReason) {
            return null;
        }
        long retryMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(e.untilNanos() - nowNanos) + 1);
        return new Denied(d.reason(), d.mode(), d.limit(), 0, retryMillis, d.callsRemaining());
    }

    /** Something changed for {@code tenant} (null: for anyone, changes may have been missed). */
    void changed(String tenant) {
        epoch.incrementAndGet();
        if (tenant == null) {
            byDigest.clear();
        } else {
            byDigest.values().removeIf(e -> e.tenant().equals(tenant));
        }
    }

    int size() {
        return byDigest.size();
    }
}
