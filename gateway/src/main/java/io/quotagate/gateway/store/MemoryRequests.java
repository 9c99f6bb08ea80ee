package io.quotagate.gateway.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Request records of {@link MemoryQuotaStore} (rule 10), each forgotten after its retention like a Redis key
 * with a TTL, or as soon as admission says the request ended with nothing to settle ({@link #forget}). So at a
 * steady rate of 2xx calls the store holds only the records of requests still in flight: no per-request object
 * outlives its request. Not thread-safe: used under the store's lock.
 *
 * <p>Applied records live in admission order (their retention is the same for every request of a config), so
 * expiry is a walk from the oldest and forgetting is one map removal. Cancelled ids and tombstones, which must
 * outlive a resend by {@link StoreRules#TOMBSTONE_TTL} and are rare, are kept apart with their own expiry queue.
 */
final class MemoryRequests {

    /** Calls taken from one lot by one request. */
    record Taken(String lotId, long n, boolean free) {
    }

    /** What an admit did; {@code state} is applied, settled, cancelled or tomb. */
    static final class Request {
        final String key;
        String state;
        final String group;
        final long day;
        final TemplateUse templates;
        final List<Taken> taken;
        final AdmitResult.Admitted result;
        Instant expiresAt;

        Request(String key, String state, String group, long day, TemplateUse templates, List<Taken> taken,
                AdmitResult.Admitted result, Instant expiresAt) {
            this.key = key;
            this.state = state;
            this.group = group;
            this.day = day;
            this.templates = templates;
            this.taken = taken;
            this.result = result;
            this.expiresAt = expiresAt;
        }

        boolean live() {
            return "applied".equals(state) || "settled".equals(state);
        }
    }

    private record Expiry(Instant at, String key) {
    }

    private final LinkedHashMap<String, Request> applied = new LinkedHashMap<>();
    private final Map<String, Request> voided = new HashMap<>();
    private final PriorityQueue<Expiry> voidedExpiries = new PriorityQueue<>((a, b) -> a.at().compareTo(b.at()));

    Request get(String tenantId, String requestId, Instant now) {
        evict(now);
        String key = key(tenantId, requestId);
        Request r = applied.get(key);
        return r != null ? r : voided.get(key);
    }

    void put(AdmitCommand c, long day, List<Taken> taken, AdmitResult.Admitted result, Instant now) {
        String key = key(c.tenantId(), c.requestId());
        applied.put(key, new Request(key, "applied", c.group(), day, c.templates(), taken, result,
                now.plusMillis(Math.max(1, c.retentionMillis()))));
    }

    void tombstone(String tenantId, String requestId, Instant now) {
        String key = key(tenantId, requestId);
        keepVoided(new Request(key, "tomb", null, 0, TemplateUse.NONE, List.of(), null, now.plus(StoreRules.TOMBSTONE_TTL)));
    }

    /** A cancelled record must outlive any resend of its admit, like a tombstone. */
    void cancelled(Request r, Instant now) {
        r.state = "cancelled";
        applied.remove(r.key);
        Instant until = now.plus(StoreRules.TOMBSTONE_TTL);
        if (r.expiresAt.isBefore(until)) {
            r.expiresAt = until;
        }
        keepVoided(r);
    }

    /** The request ended with nothing to settle: nobody will ask about it again. */
    void forget(String tenantId, String requestId) {
        String key = key(tenantId, requestId);
        Request r = applied.get(key);
        if (r != null && "applied".equals(r.state)) {
            applied.remove(key);
        }
    }

    /** Records kept now (for tests: none may outlive its request). */
    int size() {
        return applied.size() + voided.size();
    }

    private void keepVoided(Request r) {
        voided.put(r.key, r);
        voidedExpiries.add(new Expiry(r.expiresAt, r.key));
    }

    private void evict(Instant now) {
        Iterator<Request> oldest = applied.values().iterator();
        while (oldest.hasNext()) {
            if (oldest.next().expiresAt.isAfter(now)) {
                break;
            }
            oldest.remove();
        }
        while (!voidedExpiries.isEmpty() && !voidedExpiries.peek().at().isAfter(now)) {
            Expiry e = voidedExpiries.poll();
            Request r = voided.get(e.key());
            if (r != null && !r.expiresAt.isAfter(now)) {
                voided.remove(e.key());
            }
        }
    }

    private static String key(String tenantId, String requestId) {
        return tenantId + '\u0000' + requestId;
    }
}
