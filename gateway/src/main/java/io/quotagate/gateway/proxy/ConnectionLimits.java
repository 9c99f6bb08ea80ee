package io.quotagate.gateway.proxy;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The listener's connection caps ({@code server.max_connections} in total, {@code server.max_connections_per_address}
 * per client IP address), counted as connections are accepted and closed, on any event loop. A slow client (a
 * slow-loris one) costs a connection and little else; these caps bound how many one address, and all addresses
 * together, can hold. Refused connections are answered by {@link RefusedConnectionHandler}, of which at most
 * {@link #MAX_REFUSING} linger at once: a flood beyond that is closed at accept.
 */
final class ConnectionLimits {

    /** Refused connections being answered at once; more are closed without an answer. */
    static final int MAX_REFUSING = 256;

    /** What {@link #tryOpen} decided for a new connection. */
    enum Admit { OPEN, REFUSE, DROP }

    private final int max;
    private final int perAddress;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger refusing = new AtomicInteger();
    /** Open connections by address; an entry exists only while its count is above zero (updated atomically per key). */
    private final ConcurrentHashMap<InetAddress, Integer> byAddress = new ConcurrentHashMap<>();

    /** @param perAddress 0: no cap per address */
    ConnectionLimits(int max, int perAddress) {
        this.max = max;
        this.perAddress = perAddress;
    }

    /**
     * Counts a new connection from {@code address} when both caps allow it ({@link Admit#OPEN}: call
     * {@link #closed} when it closes); otherwise nothing is counted, and the caller answers a refusal
     * ({@link Admit#REFUSE}: call {@link #refusalEnded} when that connection closes) or closes it at once
     * ({@link Admit#DROP}).
     */
    Admit tryOpen(InetAddress address) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            return refuse();
        }
        if (perAddress > 0 && address != null) {
            boolean[] counted = {false};
            byAddress.compute(address, (a, n) -> {
                int count = n == null ? 0 : n;
                if (count >= perAddress) {
                    return n;
                }
                counted[0] = true;
                return count + 1;
            });
            if (!counted[0]) {
                open.decrementAndGet();
                return refuse();
            }
        }
        return Admit.OPEN;
    }

    void closed(InetAddress address) {
        open.decrementAndGet();
        if (perAddress > 0 && address != null) {
            byAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    void refusalEnded() {
        refusing.decrementAndGet();
    }

    int open() {
        return open.get();
    }

    private Admit refuse() {
        if (refusing.incrementAndGet() > MAX_REFUSING) {
            refusing.decrementAndGet();
            return Admit.DROP;
        }
        return Admit.REFUSE;
    }
}
