package io.quotagate.gateway.quota;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A small per-key rate for quota reads on this replica: at most {@code limit} reads per key in each wall-clock
 * second. A fixed window is enough here: it only keeps a polling client from turning the endpoint into a store
 * load, it bills nothing. Keys are API-key digests; the table is swept of past seconds when it grows large, so a
 * stream of distinct (invalid) keys cannot grow it without bound.
 */
final class KeyRate {

    private static final int SWEEP_ABOVE = 10_000;

    private record Window(long second, int count) {
    }

    private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();

    /** Counts one read of {@code key} at {@code nowMillis}; false when the key already used its {@code limit} this second. */
    boolean tryAcquire(String key, int limit, long nowMillis) {
        long second = Math.floorDiv(nowMillis, 1000);
        if (windows.size() > SWEEP_ABOVE) {
            windows.values().removeIf(w -> w.second() < second);
        }
        // Counted past the limit once (limit + 1 marks "refused"), never further: the count stays bounded.
        Window after = windows.compute(key, (k, w) -> w == null || w.second() != second ? new Window(second, 1)
                : new Window(second, Math.min(w.count() + 1, limit + 1)));
        return after.count() <= limit;
    }
}
