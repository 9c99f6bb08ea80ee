package io.quotagate.gateway.admin;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: one JSON line ({@link AuditEntry#toJson()}) per admin call that changes something, refused attempts
 * included, written at INFO to the SLF4J logger {@value #LOGGER} (logback routes it: stderr by default, a file with
 * an operator's logback config; docs/operations.md). Event loops only queue an entry; a thread of its own formats it
 * and calls the logger, so whatever appender ops configure (a file, a synchronous flush) never runs on an event loop.
 * The queue is bounded and the hand-off never waits: the last {@link #RESERVE} slots are kept for authenticated
 * calls, so a flood of refused attempts cannot crowd out a grant's line; an entry that finds no room is dropped and
 * counted ({@code quotagate_audit_log_dropped_total}).
 */
public final class AuditLog implements AutoCloseable {

    /** The logger name ops route. */
    public static final String LOGGER = "quotagate.audit";
    static final int CAPACITY = 4096;
    static final int RESERVE = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    private final BlockingQueue<AuditEntry> queue;
    private final int reserve;
    private final Consumer<String> sink;
    private final Runnable onDrop;
    private final Thread writer;
    private volatile boolean closing;

    AuditLog(Consumer<String> sink, int capacity, int reserve, Runnable onDrop) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.reserve = reserve;
        this.sink = sink;
        this.onDrop = onDrop;
        this.writer = new Thread(this::run, "quotagate-audit-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** The audit log on logger {@value #LOGGER}; {@code onDrop} counts an entry dropped for want of room. */
    static AuditLog start(Runnable onDrop) {
        Logger audit = LoggerFactory.getLogger(LOGGER);
        return new AuditLog(line -> audit.info("{}", line), CAPACITY, RESERVE, onDrop);
    }

    /** An authenticated call's entry; never blocks. */
    void record(AuditEntry entry) {
        if (!queue.offer(entry)) {
            onDrop.run();
        }
    }

    /** A refused attempt's entry (wrong or missing token, throttled): only while more than the reserve is free. */
    void recordRefused(AuditEntry entry) {
        if (queue.remainingCapacity() <= reserve || !queue.offer(entry)) {
            onDrop.run();
        }
    }

    private void run() {
        while (!closing || !queue.isEmpty()) {
            try {
                // Admin calls are rare: a blocking wait costs nothing here (unlike the access log's hand-off).
                AuditEntry entry = queue.poll(100, TimeUnit.MILLISECONDS);
                if (entry != null) {
                    sink.accept(entry.toJson());
                }
            } catch (InterruptedException e) {
                closing = true;
            } catch (RuntimeException e) {
                LOG.warn("audit log write failed: {}", e.toString());
            }
        }
    }

    /** Writes what is queued (up to a few seconds), then stops the writer. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
