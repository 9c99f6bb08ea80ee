package io.quotagate.gateway.admin;

import io.quotagate.gateway.config.AdminConfig;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a client address may present an admin token at all: after {@code failures} wrong or missing
 * tokens within {@code window} (counted from the first of them), the address is refused for {@code cooldown}
 * without its token being looked at, so a guess that would have been right is refused too.
 *
 * <ul>
 *   <li>A refusal during the cool-down neither counts as a failure nor extends the cool-down: an operator who
 *       shares the address (a NAT, a jump host) gets back in when it ends, however hard someone else keeps trying.
 *   <li>A success does not reset the count: on a shared address an operator's successful calls would otherwise
 *       hand a guesser a fresh allowance each time; failures simply age out with their window.
 *   <li>IPv6 clients are counted per /64, the block one host is usually given: otherwise rotating through its own
 *       addresses would be a fresh allowance each.
 *   <li>Memory is bounded: at most {@code maxAddresses} entries; past that the address that failed least recently
 *       is forgotten. A spray from many addresses is not stopped by any per-address rule; it can only push out
 *       quiet entries, not one that keeps failing.
 * </ul>
 * Thread-safe (admin calls are rare: one lock).
 */
final class AdminThrottle {

    /** How many addresses are remembered at most (about 200 bytes each: 2 MB at most). */
    static final int MAX_ADDRESSES = 10_000;

    /** One address's count. Times in epoch milliseconds of the injected clock. */
    private static final class Entry {
        long windowStart;
        int failures;
        /** 0 while not throttled. */
        long blockedUntil;
    }

    private final int limit;
    private final long windowMillis;
    private final long cooldownMillis;
    private final InstantSource clock;
    private final Map<String, Entry> entries;

    AdminThrottle(AdminConfig.Throttle settings, InstantSource clock) {
        this(settings, clock, MAX_ADDRESSES);
    }

    AdminThrottle(AdminConfig.Throttle settings, InstantSource clock, int maxAddresses) {
        this.limit = settings.failures();
        this.windowMillis = settings.window().toMillis();
        this.cooldownMillis = settings.cooldown().toMillis();
        this.clock = clock;
        this.entries = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > maxAddresses;
            }
        };
    }

    /** How long the address is still refused for; empty when it may present a token. */
    synchronized Optional<Duration> refusedFor(InetAddress address) {
        String key = key(address);
        Entry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        long now = clock.millis();
        if (entry.blockedUntil > now) {
            return Optional.of(Duration.ofMillis(entry.blockedUntil - now));
        }
        if (entry.blockedUntil != 0 || now - entry.windowStart >= windowMillis) {
            entries.remove(key); // the cool-down or the window is over: the address starts afresh
        }
        return Optional.empty();
    }

    /** Counts one wrong or missing token; true when it was the one that started a cool-down. */
    synchronized boolean failed(InetAddress address) {
        long now = clock.millis();
        Entry entry = entries.get(key(address));
        if (entry == null || entry.blockedUntil != 0 && entry.blockedUntil <= now
                || entry.blockedUntil == 0 && now - entry.windowStart >= windowMillis) {
            entry = new Entry();
            entry.windowStart = now;
            entries.put(key(address), entry);
        }
        if (entry.blockedUntil > now) {
            return false; // checked before the cool-down began (a concurrent call): already counted enough
        }
        entry.failures++;
        if (entry.failures < limit) {
            return false;
        }
        entry.blockedUntil = now + cooldownMillis;
        return true;
    }

    /** Addresses remembered now (tests). */
    synchronized int size() {
        return entries.size();
    }

    /** IPv4: the address; IPv6: its /64. */
    static String key(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        return HexFormat.of().formatHex(bytes, 0, 8) + "/64";
    }
}
