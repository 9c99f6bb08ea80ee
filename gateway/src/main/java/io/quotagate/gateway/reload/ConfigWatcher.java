package io.quotagate.gateway.reload;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks up edits of the config file without a restart and hands them to {@link ConfigReloader}. It watches
 * the file's directory rather than the file, because a Kubernetes ConfigMap is updated by atomically
 * replacing the {@code ..data} symlink the file resolves through: the file itself never sees an event.
 * Events are debounced so an editor's burst of writes costs one reload, and a periodic poll backs up the
 * {@link WatchService}, which misses events on some network and container filesystems.
 *
 * <p>Both paths compare the SHA-256 of the file's bytes with the config in force and with the last
 * version tried, so a poll of an unchanged file reads a few KB and does nothing, and a broken file is
 * reported once rather than on every poll. One daemon thread; {@link #close()} stops it.
 */
public final class ConfigWatcher implements AutoCloseable {

    /** Quiet time after the last event before the file is read; long enough to cover an editor's save. */
    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(250);
    /** How often the file is checked when no event arrives. */
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    private final ConfigReloader reloader;
    private final long debounceNanos;
    private final long pollNanos;
    private final boolean useWatchService;
    private final Thread thread;
    // Counted down by close(); the poll-only wait sleeps on it so close() wakes it without an interrupt,
    // which would abort a reload's file read half-way and count a spurious failure.
    private final CountDownLatch closeSignal = new CountDownLatch(1);
    private volatile WatchService watchService;
    // The hash of the last file content handed to the reloader, valid or not; only the watcher thread uses it.
    private String lastTried;

    /** A watcher with {@link #DEFAULT_DEBOUNCE} and {@link #DEFAULT_POLL}. */
    public ConfigWatcher(ConfigReloader reloader) {
        this(reloader, DEFAULT_DEBOUNCE, DEFAULT_POLL);
    }

    public ConfigWatcher(ConfigReloader reloader, Duration debounce, Duration pollInterval) {
        this(reloader, debounce, pollInterval, true);
    }

    /** {@code useWatchService = false} leaves only the poll, as on a filesystem that sends no events. */
    ConfigWatcher(ConfigReloader reloader, Duration debounce, Duration pollInterval, boolean useWatchService) {
        this.reloader = Objects.requireNonNull(reloader, "reloader");
        if (debounce.isNegative() || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("debounce: " + debounce + " (expected: >= 0), poll interval: "
                    + pollInterval + " (expected: > 0)");
        }
        this.debounceNanos = debounce.toNanos();
        this.pollNanos = pollInterval.toNanos();
        this.useWatchService = useWatchService;
        this.thread = new Thread(this::run, "quotagate-config-watcher");
        this.thread.setDaemon(true);
    }

    /**
     * Starts watching. A directory that cannot be watched is logged and leaves the poll working, so this
     * does not fail the gateway's start.
     */
    public synchronized void start() {
        if (closeSignal.getCount() == 0 || thread.isAlive()) {
            throw new IllegalStateException("a config watcher starts once");
        }
        lastTried = reloader.hashInForce();
        if (useWatchService) {
            watchService = register(reloader.file().toAbsolutePath().getParent());
        }
        thread.start();
    }

    /** Stops the thread and waits briefly for it; a reload in progress finishes first. */
    @Override
    public void close() {
        closeSignal.countDown();
        // Closing the service wakes a thread blocked in poll(): it throws ClosedWatchServiceException.
        closeQuietly(watchService);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isRunning() {
        return thread.isAlive();
    }

    private WatchService register(Path dir) {
        WatchService service = null;
        try {
            service = FileSystems.getDefault().newWatchService();
            dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
            return service;
        } catch (IOException | UnsupportedOperationException e) {
            closeQuietly(service);
            log.warn("cannot watch {} ({}); config changes are picked up by polling only", dir, e.toString());
            return null;
        }
    }

    private void run() {
        long nextPoll = System.nanoTime() + pollNanos;
        long dueAt = Long.MAX_VALUE; // when a debounced event check is due; MAX_VALUE when none is pending
        while (closeSignal.getCount() > 0) {
            long now = System.nanoTime();
            try {
                if (awaitEvent(Math.min(dueAt, nextPoll) - now)) {
                    // Every event pushes the check back: a burst of writes is read once, after it ends.
                    dueAt = System.nanoTime() + debounceNanos;
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                break; // close()
            }
            if (closeSignal.getCount() == 0) {
                break;
            }
            now = System.nanoTime();
            boolean eventDue = dueAt != Long.MAX_VALUE && now - dueAt >= 0;
            boolean pollDue = now - nextPoll >= 0;
            if (eventDue || pollDue) {
                dueAt = Long.MAX_VALUE;
                nextPoll = now + pollNanos;
                checkSafely(eventDue ? "watch" : "poll");
            }
        }
    }

    /** Waits up to {@code timeoutNanos} for an event in the directory; true if there was one. */
    private boolean awaitEvent(long timeoutNanos) throws InterruptedException {
        long wait = Math.max(0, timeoutNanos);
        WatchService service = watchService;
        if (service == null) {
            closeSignal.await(wait, TimeUnit.NANOSECONDS);
            return false;
        }
        WatchKey key = service.poll(wait, TimeUnit.NANOSECONDS);
        if (key == null) {
            return false;
        }
        // Which entry changed does not matter: any of them (..data, the file, an editor's temp file) may be
        // what the path resolves through, and the hash compare filters the rest.
        key.pollEvents();
        if (!key.reset()) {
            log.warn("{} can no longer be watched; config changes are picked up by polling only", key.watchable());
            closeQuietly(service);
            watchService = null;
        }
        return true;
    }

    private void checkSafely(String trigger) {
        try {
            check(trigger);
        } catch (RuntimeException e) {
            // A bug in one reload must not end live reload for the life of the process.
            log.error("config check ({}) failed", trigger, e);
        }
    }

    private void check(String trigger) {
        String hash = contentHash(reloader.file());
        if (hash.equals(lastTried) || hash.equals(reloader.hashInForce())) {
            return;
        }
        lastTried = hash;
        reloader.reload(trigger);
    }

    /**
     * SHA-256 hex of the file's bytes, as {@code ConfigLoader} computes it; for a file that cannot be read,
     * a marker naming the error, so a missing file is reported once, not on every poll.
     */
    static String contentHash(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (IOException e) {
            return "unreadable: " + e;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static void closeQuietly(WatchService service) {
        if (service == null) {
            return;
        }
        try {
            service.close();
        } catch (IOException e) {
            log.debug("closing the config watch service failed", e);
        }
    }
}
