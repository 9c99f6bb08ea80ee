package io.quotagate.gateway.metrics;

import java.time.Duration;

/**
 * The histogram buckets of each job (at most 20 per series, +Inf included by Prometheus): an admission or a
 * rejection takes well under a millisecond, an upstream call can take minutes (portrait generation), a store call
 * sits in between. Explicit lists, so a series is a few dozen lines of exposition, not ~70.
 */
final class Buckets {

    /** Admission and the latency the gateway adds: 50 µs to 2.5 s. */
    static final Duration[] SUB_MILLISECOND = durations(
            us(50), us(100), us(250), us(500), ms(1), ms(2.5), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250),
            ms(500), ms(1000), ms(2500));

    /** A store round trip: 100 µs to 5 s (past the store timeout, resends included). */
    static final Duration[] STORE = durations(
            us(100), us(250), us(500), ms(1), ms(2.5), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500),
            ms(1000), ms(2500), ms(5000));

    /** A whole request, from rejections (sub-ms) to long upstream calls: 250 µs to 5 min. */
    static final Duration[] REQUEST = durations(
            us(250), us(500), ms(1), ms(2.5), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000),
            ms(2500), ms(5000), ms(10_000), ms(30_000), ms(60_000), ms(120_000), ms(300_000));

    /** Time to the upstream's response head: 1 ms to 5 min. */
    static final Duration[] UPSTREAM = durations(
            ms(1), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2500), ms(5000),
            ms(10_000), ms(20_000), ms(30_000), ms(60_000), ms(120_000), ms(300_000));

    /** Requests answered by one store call (batched admission): 1 to 256. */
    static final double[] REQUESTS_PER_CALL = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    private Buckets() {
    }

    private static Duration[] durations(Duration... values) {
        return values;
    }

    private static Duration us(long micros) {
        return Duration.ofNanos(micros * 1000);
    }

    private static Duration ms(double millis) {
        return Duration.ofNanos((long) (millis * 1_000_000));
    }
}
