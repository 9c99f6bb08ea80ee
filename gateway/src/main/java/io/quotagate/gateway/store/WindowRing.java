package io.quotagate.gateway.store;

/**
 * The memory store's sliding QPS window: the newest admissions' timestamps (µs) in a ring, newest first, at most
 * as many as the limit in force. Timestamps only grow, so the ring is sorted and "how many lie in the last
 * second" is a binary search: O(log limit) per request, O(limit) space, the same shape as the Redis list.
 */
final class WindowRing {

    private long[] ring = new long[4];
    private int head;   // index of the newest entry
    private int size;

    /** The {@code index}-th newest admission (0 = newest); {@code index < size()}. */
    long entry(int index) {
        return ring[Math.floorMod(head - index, ring.length)];
    }

    int size() {
        return size;
    }

    /** How many of the newest {@code min(size, limit)} admissions lie in (now - 1 s, now]. */
    int inWindow(int limit, long nowMicros) {
        long cutoff = nowMicros - 1_000_000L;
        int lo = 0;
        int hi = Math.min(size, limit);
        while (lo < hi) { // first index whose entry is at or before the cutoff
            int mid = (lo + hi) >>> 1;
            if (entry(mid) > cutoff) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Records an admission at {@code nowMicros} and forgets entries beyond the newest {@code limit}. */
    void push(long nowMicros, int limit) {
        if (size == ring.length && size < limit) {
            grow(Math.min(limit, ring.length * 2));
        }
        head = (head + 1) % ring.length;
        ring[head] = nowMicros;
        size = Math.min(size + 1, Math.min(limit, ring.length));
    }

    private void grow(int capacity) {
        long[] bigger = new long[capacity];
        for (int i = 0; i < size; i++) {
            bigger[size - 1 - i] = entry(i);
        }
        ring = bigger;
        head = size - 1;
    }
}
