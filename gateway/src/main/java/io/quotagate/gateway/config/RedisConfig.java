package io.quotagate.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * How to reach Redis: exactly one of {@code address}, {@code cluster} or {@code sentinel} is set.
 *
 * @param timeout        a command with no answer after this counts as a store failure
 * @param retryAttempts  Redisson resends per command (scripts are idempotent by request id)
 * @param callsInFlight  admit calls each event loop may have out at once; the requests of one loop pass leave
 *                       together, one call per tenant and group (0: one call per request, no coalescing)
 */
public record RedisConfig(
        String address,
        List<String> cluster,
        SentinelConfig sentinel,
        String password,
        Duration timeout,
        int retryAttempts,
        int callsInFlight) {

    /** Admit calls out at once per event loop unless configured. */
    public static final int DEFAULT_CALLS_IN_FLIGHT = 8;

    public RedisConfig {
        cluster = cluster == null ? List.of() : List.copyOf(cluster);
    }

    public RedisConfig(String address, List<String> cluster, SentinelConfig sentinel, String password, Duration timeout,
                       int retryAttempts) {
        this(address, cluster, sentinel, password, timeout, retryAttempts, DEFAULT_CALLS_IN_FLIGHT);
    }

    /** A Sentinel-managed master. */
    public record SentinelConfig(String master, List<String> addresses) {
        public SentinelConfig {
            addresses = List.copyOf(addresses);
        }
    }

    @Override
    public String toString() {
        return "RedisConfig[address=" + address + ", cluster=" + cluster + ", sentinel=" + sentinel
                + ", password=" + (password == null || password.isEmpty() ? "<none>" : "<redacted>")
                + ", timeout=" + timeout + ", retryAttempts=" + retryAttempts + ", callsInFlight=" + callsInFlight + "]";
    }
}
