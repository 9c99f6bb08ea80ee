package io.quotagate.gateway.e2e;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Waiting on asynchronous effects without sleeping as an assertion: settlements and cancels reach Redis after the
 * client already has its answer, so tests poll with a deadline. {@link #stays} checks a negative ("never
 * refunded twice") over a bounded observation window, failing at the first sample that differs.
 */
final class Poll {

    private static final long INTERVAL_MS = 20;

    private Poll() {
    }

    /** Polls until {@code probe} returns {@code expected}; fails with the last value after {@code timeout}. */
    static <T> void until(String what, Duration timeout, Supplier<T> probe, T expected) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = probe.get();
        while (!Objects.equals(last, expected)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + ": expected " + expected + " within " + timeout + ", still " + last);
            }
            pause();
            last = probe.get();
        }
    }

    /** Samples {@code probe} for {@code period}; every sample must equal {@code expected}. */
    static <T> void stays(String what, Duration period, Supplier<T> probe, T expected) {
        long end = System.nanoTime() + period.toNanos();
        do {
            T value = probe.get();
            if (!Objects.equals(value, expected)) {
                throw new AssertionError(what + ": expected to stay " + expected + ", became " + value);
            }
            pause();
        } while (System.nanoTime() - end < 0);
    }

    private static void pause() {
        try {
            Thread.sleep(INTERVAL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
