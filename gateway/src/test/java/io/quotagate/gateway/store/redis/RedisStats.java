package io.quotagate.gateway.store.redis;

import io.quotagate.gateway.testkit.RedisServerExtension;
import java.util.Arrays;

/** Reads {@code INFO commandstats}: how often Redis executed each command since the last {@code CONFIG RESETSTAT}. */
final class RedisStats {

    private RedisStats() {
    }

    static long calls(RedisServerExtension redis, String command) {
        return Arrays.stream(lines(redis)).filter(l -> l.startsWith("cmdstat_" + command + ":"))
                .mapToLong(RedisStats::callsOf).sum();
    }

    /** Calls Redis refused or that failed, e.g. {@code EVALSHA} answered with {@code NOSCRIPT}. */
    static long failedCalls(RedisServerExtension redis, String command) {
        return Arrays.stream(lines(redis)).filter(l -> l.startsWith("cmdstat_" + command + ":"))
                .mapToLong(l -> field(l, "failed_calls=") + field(l, "rejected_calls=")).sum();
    }

    /** Microseconds Redis spent in the command ({@code usec}; a script's includes the commands it ran). */
    static long usec(RedisServerExtension redis, String command) {
        return Arrays.stream(lines(redis)).filter(l -> l.startsWith("cmdstat_" + command + ":"))
                .mapToLong(l -> field(l, ",usec=")).sum();
    }

    private static String[] lines(RedisServerExtension redis) {
        return String.valueOf(redis.command("INFO", "commandstats")).split("\r\n");
    }

    private static long callsOf(String line) {
        return field(line, ":calls=");
    }

    private static long field(String line, String name) {
        String rest = line.substring(line.indexOf(name) + name.length()) + ",";
        return Long.parseLong(rest.substring(0, rest.indexOf(',')));
    }
}
