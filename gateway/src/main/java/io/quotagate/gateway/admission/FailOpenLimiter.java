package io.quotagate.gateway.admission;

import io.quotagate.gateway.store.BillingMode;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The QPS limit a replica keeps by itself while the store is unreachable and a group fails open: each tenant and
 * group gets this replica's share of its limit, {@code ceil(limit / live replicas)} and at least 1, in a sliding
 * one-second window held in memory (rule 6's window, on this replica's clock and for this replica only).
 *
 * <p>The limit is the one the store applied at the last admission this replica saw for the tenant and group
 * (count mode: {@code count_mode_qps}; QPS mode: the purchased QPS in force), with its billing mode; a tenant and
 * group never seen falls back to the count-mode limit the config gives now. The live replicas are the count of the
 * last heartbeat that answered ({@link FailOpenUpkeep}); 1 before any.
 *
 * <p>Thread-safe. Bounded: past {@code maxEntries} tenants remembered (or windows kept), that map is cleared (the
 * limits then fall back to the count-mode one until admissions are seen again).
 */
final class FailOpenLimiter {

    private static final long WINDOW_MS = 1000;

    /** A limit in force and the billing mode it came with; {@code qps} -1 when only the mode is known. */
    record Limit(BillingMode mode, long qps) {
    }

    /**
     * The outcome of {@link #acquire}: the limit applied, this replica's share of it, and 0 when admitted or the
     * milliseconds until the window frees a slot.
     */
    record Verdict(long limit, long share, long waitMillis) {

        boolean admitted() {
            return waitMillis == 0;
        }
    }

    private final int maxEntries;
    /** tenant → group → limit: two lookups and no allocation for an admission that changes nothing. */
    private final ConcurrentMap<String, ConcurrentMap<String, Limit>> limits = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();
    private volatile int replicas = 1;

    FailOpenLimiter(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /**
     * The store admitted a request of the tenant and group: remembers its mode and, when the route counts against
     * the QPS window ({@code qpsLimited}), the limit it applied. Runs per admission in groups that fail open.
     */
    void remember(String tenant, String group, BillingMode mode, long limit, boolean qpsLimited) {
        ConcurrentMap<String, Limit> byGroup = limits.get(tenant);
        if (byGroup == null) {
            if (limits.size() >= maxEntries) {
                limits.clear();
            }
            byGroup = limits.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>());
        }
        Limit known = byGroup.get(group);
        if (known != null && known.mode() == mode && (!qpsLimited || known.qps() == limit)) {
            return;
        }
        byGroup.put(group, new Limit(mode, qpsLimited ? limit : known == null ? -1 : known.qps()));
    }

    /** The remembered mode and limit, or null when never seen. */
    Limit known(String tenant, String group) {
        ConcurrentMap<String, Limit> byGroup = limits.get(tenant);
        return byGroup == null ? null : byGroup.get(group);
    }

    /** The live replicas at the last heartbeat that answered (at least 1). */
    void replicasSeen(int live) {
        replicas = Math.max(1, live);
    }

    int replicas() {
        return replicas;
    }

    /** This replica's share of {@code limit}: {@code ceil(limit / replicas)}, at least 1. */
    static long share(long limit, int replicas) {
        return Math.max(1, (limit + replicas - 1) / replicas);
    }

    /**
     * Takes a slot in the tenant and group's local window if this replica's share allows one at {@code nowMillis}.
     *
     * @param fallbackLimit the limit when none was remembered (the count-mode limit)
     */
    Verdict acquire(String tenant, String group, long fallbackLimit, long nowMillis) {
        Limit known = known(tenant, group);
        long limit = known != null && known.qps() >= 0 ? known.qps() : fallbackLimit;
        long share = share(limit, replicas);
        String key = tenant + '\u0000' + group;
        Window window = windows.get(key);
        if (window == null) {
            if (windows.size() >= maxEntries) {
                windows.clear();
            }
            window = windows.computeIfAbsent(key, k -> new Window());
        }
        return new Verdict(limit, share, window.tryAcquire((int) Math.min(share, Integer.MAX_VALUE), nowMillis));
    }

    /** Drops the local windows (the store is back: they only matter during an outage). */
    void forgetWindows() {
        windows.clear();
    }

    /** The times of the newest admissions of one tenant and group on this replica, at most {@code share} of them. */
    private static final class Window {

        private long[] times = new long[0];
        /** Entries held; when full, {@code next} is the oldest. */
        private int size;
        private int next;

        /** Admits (returns 0) if fewer than {@code share} admissions are younger than a second; else the wait in ms. */
        synchronized long tryAcquire(int share, long now) {
            if (times.length != share) {
                resize(share);
            }
            if (size == share) {
                long wait = times[next] + WINDOW_MS - now;
                if (wait > 0) {
                    return wait;
                }
            }
            times[next] = now;
            next = (next + 1) % share;
            size = Math.min(size + 1, share);
            return 0;
        }

        /** Keeps the newest entries that fit, oldest first (the share changes with the replica count or the limit). */
        private void resize(int share) {
            long[] kept = new long[share];
            int keep = Math.min(size, share);
            for (int i = 0; i < keep; i++) {
                kept[keep - 1 - i] = times[Math.floorMod(next - 1 - i, times.length)];
            }
            times = kept;
            size = keep;
            next = keep % share;
        }
    }
}
