package io.quotagate.gateway.admission;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Key digests the store admitted recently, for groups that fail open: when the store is down, only a key seen
 * valid within {@code ttlMillis} is let through, so an outage does not turn every made-up key into a pass.
 * Bounded: when full it is cleared (fail-open then degrades to fail-closed until keys are seen again).
 */
final class RecentKeys {

    private final ConcurrentMap<String, Seen> seen = new ConcurrentHashMap<>();
    private final long ttlMillis;
    private final int maxEntries;

    RecentKeys(long ttlMillis, int maxEntries) {
        this.ttlMillis = ttlMillis;
        this.maxEntries = maxEntries;
    }

    void admitted(String digest, String tenant, long nowMillis) {
        if (seen.size() >= maxEntries) {
            seen.clear();
        }
        seen.put(digest, new Seen(tenant, nowMillis));
    }

    void denied(String digest) {
        seen.remove(digest);
    }

    boolean recentlyValid(String digest, String tenant, long nowMillis) {
        Seen s = seen.get(digest);
        return s != null && s.tenant.equals(tenant) && nowMillis - s.atMillis <= ttlMillis;
    }

    private record Seen(String tenant, long atMillis) {
    }
}
