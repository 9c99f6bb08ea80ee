package io.quotagate.gateway.store;

import io.quotagate.gateway.config.RouteConfig.TemplateAction;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Request records of {@link MemoryQuotaStore} (rule 10), each forgotten after its retention like a Redis key
 * with a TTL. Not thread-safe: used under the store's lock.
 */
final class MemoryRequests {

    /** Calls taken from one lot by one request. */
    record Taken(String lotId, long n) {
    }

    /** What an admit did; {@code state} is applied, settled, cancelled or tomb. */
    static final class Request {
        final String key;
        String state;
        final String group;
        final long day;
        final TemplateAction templates;
        final List<Taken> taken;
        final AdmitResult.Admitted result;
        Instant expiresAt;

        Request(String key, String state, String group, long day, TemplateAction templates, List<Taken> taken,
                AdmitResult.Admitted result, Instant expiresAt) {
            this.key = key;
            this.state = state;
            this.group = group;
            this.day = day;
            this.templates = templates;
            this.taken = List.copyOf(taken);
            this.result = result;
            this.expiresAt = expiresAt;
        }

        boolean live() {
            return "applied".equals(state) || "settled".equals(state);
        }
    }

    private record Expiry(Instant at, String key) {
    }

    private final Map<String, Request> byKey = new HashMap<>();
    private final PriorityQueue<Expiry> expiries = new PriorityQueue<>((a, b) -> a.at().compareTo(b.at()));

    Request get(String tenantId, String requestId, Instant now) {
        evict(now);
        return byKey.get(key(tenantId, requestId));
    }

    void put(AdmitCommand c, long day, List<Taken> taken, AdmitResult.Admitted result, Instant now) {
        String key = key(c.tenantId(), c.requestId());
        add(new Request(key, "applied", c.group(), day, c.templates(), taken, result,
                now.plusMillis(Math.max(1, c.retentionMillis()))));
    }

    void tombstone(String tenantId, String requestId, Instant now) {
        String key = key(tenantId, requestId);
        add(new Request(key, "tomb", null, 0, TemplateAction.NONE, List.of(), null, now.plus(StoreRules.TOMBSTONE_TTL)));
    }

    void keepAtLeast(Request r, Instant until) {
        if (r.expiresAt.isBefore(until)) {
            r.expiresAt = until;
            expiries.add(new Expiry(until, r.key));
        }
    }

    private void add(Request r) {
        byKey.put(r.key, r);
        expiries.add(new Expiry(r.expiresAt, r.key));
    }

    private void evict(Instant now) {
        while (!expiries.isEmpty() && !expiries.peek().at().isAfter(now)) {
            Expiry e = expiries.poll();
            Request r = byKey.get(e.key());
            if (r != null && !r.expiresAt.isAfter(now)) {
                byKey.remove(e.key());
            }
        }
    }

    private static String key(String tenantId, String requestId) {
        return tenantId + '\u0000' + requestId;
    }
}
