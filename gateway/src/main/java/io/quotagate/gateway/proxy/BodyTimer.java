package io.quotagate.gateway.proxy;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;

/**
 * {@code server.body_timeout} for one client connection, driven by the {@link FrontendHandler}: while a request
 * body is read (forwarded, buffered or discarded), each {@link #WINDOW_BYTES} of it, or its end, must arrive within
 * the timeout. The clock runs only while the gateway waits on the client (it asked for the next piece and none has
 * come yet), never while it holds back because the upstream is not taking the body: a slow upstream is not the
 * client's fault. A client trickling one byte a second is thereby cut after one timeout, however large its
 * declared body, and a client uploading at any reasonable rate (over 16 KiB per timeout) never is.
 */
final class BodyTimer {

    /** The progress that earns a fresh timeout. */
    static final int WINDOW_BYTES = 16 * 1024;

    private final Deadline deadline;
    private final long timeoutNanos;
    private boolean active;
    private long leftNanos;
    private long windowBytes;

    BodyTimer(EventExecutor executor, Duration timeout, Runnable onExpiry) {
        this.deadline = new Deadline(executor, onExpiry);
        this.timeoutNanos = timeout.toNanos();
    }

    /** A body starts: a full timeout for its first window. */
    void start() {
        active = true;
        leftNanos = timeoutNanos;
        windowBytes = 0;
        deadline.disarm();
    }

    /** The gateway asked the client for the next piece: the clock runs. */
    void waiting() {
        if (active && !deadline.isArmed()) {
            deadline.arm(leftNanos);
        }
    }

    /** A piece arrived: the clock stops; enough progress since the window began earns a fresh window. */
    void received(int bytes) {
        if (!active) {
            return;
        }
        if (deadline.isArmed()) {
            leftNanos = Math.max(1, deadline.remainingNanos());
            deadline.disarm();
        }
        windowBytes += bytes;
        if (windowBytes >= WINDOW_BYTES) {
            windowBytes = 0;
            leftNanos = timeoutNanos;
        }
    }

    /** The body ended (or is no longer read). */
    void stop() {
        active = false;
        deadline.disarm();
    }

    /** The connection closed. */
    void cancel() {
        stop();
        deadline.cancel();
    }
}
