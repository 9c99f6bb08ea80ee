package io.quotagate.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * How to reach Redis: exactly one of {@code address}, {@code cluster} or {@code sentinel} is set.
 *
 * @param timeout        a command with no answer after this counts as a store failure
 * @param retryAttempts  Redisson resends per command (scripts are idempotent by request id)
 */
public record RedisConfig(
        String address,
        List<String> cluster,
        SentinelConfig sentinel,
        String password,
        Duration timeout,
        int retryAttempts) {

    public RedisConfig {
        cluster = cluster == null ? List.of() : List.copyOf(cluster);
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
                + ", timeout=" + timeout + ", retryAttempts=" + retryAttempts + "]";
    }
}
