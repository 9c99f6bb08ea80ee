package io.quotagate.gateway.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A re-armable timeout that costs no scheduling per use: arming only moves a deadline, and the one scheduled
 * task re-schedules itself for the remaining time when it fires early (the trick of Netty's
 * {@code IdleStateHandler}). A proxy arms timers on every request; this keeps that to a {@code nanoTime()} call.
 * Used only from the event loop it was created for.
 */
final class Deadline implements Runnable {

    private final EventExecutor executor;
    private final Runnable onExpiry;
    private boolean armed;
    private long deadlineNanos;
    private ScheduledFuture<?> task;

    Deadline(EventExecutor executor, Runnable onExpiry) {
        this.executor = executor;
        this.onExpiry = onExpiry;
    }

    /** Fires {@code onExpiry} after {@code timeoutNanos} unless re-armed or disarmed before. */
    void arm(long timeoutNanos) {
        armed = true;
        deadlineNanos = System.nanoTime() + timeoutNanos;
        if (task == null) {
            task = executor.schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    void disarm() {
        armed = false;
    }

    boolean isArmed() {
        return armed;
    }

    /** Time left until expiry while armed (may be zero or negative when it is about to fire). */
    long remainingNanos() {
        return deadlineNanos - System.nanoTime();
    }

    /** Disarms and drops the scheduled task (when the channel closes). */
    void cancel() {
        armed = false;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    @Override
    public void run() {
        task = null;
        if (!armed) {
            return;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            task = executor.schedule(this, left, TimeUnit.NANOSECONDS);
            return;
        }
        armed = false;
        onExpiry.run();
    }
}
