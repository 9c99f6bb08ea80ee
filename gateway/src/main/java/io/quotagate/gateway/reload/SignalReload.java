package io.quotagate.gateway.reload;

import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Reloads the config on SIGHUP, the Unix convention for "re-read your configuration". The handler only
 * hands the reload to its own daemon thread: the JVM runs signal handlers on one dispatch thread, which a
 * reload's file read and validation should not hold. Uses {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}); where that or SIGHUP is unavailable, {@link #install} logs it and returns a
 * handle that does nothing, since the watcher and the admin call still reload.
 *
 * <p>Installing replaces the JVM's own SIGHUP behaviour (shut down); {@link #close()} restores it.
 */
public final class SignalReload implements AutoCloseable {

    /** The trigger name passed to {@link ConfigReloader#reload}. */
    public static final String TRIGGER = "SIGHUP";

    private static final Logger log = LoggerFactory.getLogger(SignalReload.class);

    private final ConfigReloader reloader;
    private final ExecutorService executor;
    private final Signal signal;
    private final SignalHandler previous;

    private SignalReload(ConfigReloader reloader, Signal signal, SignalHandler previous, ExecutorService executor) {
        this.reloader = reloader;
        this.signal = signal;
        this.previous = previous;
        this.executor = executor;
    }

    /** Installs the SIGHUP handler; never throws for a platform without signals. */
    public static SignalReload install(ConfigReloader reloader) {
        Objects.requireNonNull(reloader, "reloader");
        ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "quotagate-sighup-reload");
            thread.setDaemon(true);
            return thread;
        });
        try {
            Signal hup = new Signal("HUP");
            SignalHandler previous = Signal.handle(hup, s -> queueReload(reloader, executor));
            log.info("SIGHUP reloads {}", reloader.file());
            return new SignalReload(reloader, hup, previous, executor);
        } catch (IllegalArgumentException | LinkageError e) {
            // IllegalArgumentException: no SIGHUP here (Windows) or the JVM reserves it (-Xrs).
            // LinkageError: a runtime image built without jdk.unsupported.
            log.info("SIGHUP reload not available ({}); use the admin reload call or edit the file", e.toString());
            return new SignalReload(reloader, null, null, executor);
        }
    }

    /** Whether SIGHUP now triggers a reload. */
    public boolean installed() {
        return signal != null;
    }

    /** What the handler does, callable without a signal: queue a reload on this helper's thread. */
    void trigger() {
        queueReload(reloader, executor);
    }

    private static void queueReload(ConfigReloader reloader, ExecutorService executor) {
        try {
            executor.execute(() -> {
                try {
                    reloader.reload(TRIGGER);
                } catch (RuntimeException e) {
                    log.error("config reload ({}) failed", TRIGGER, e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.info("SIGHUP after shutdown began; not reloading");
        }
    }

    /** Restores the previous SIGHUP handler and stops the reload thread. */
    @Override
    public void close() {
        if (signal != null) {
            try {
                Signal.handle(signal, previous);
            } catch (IllegalArgumentException e) {
                log.debug("could not restore the previous SIGHUP handler", e);
            }
        }
        executor.shutdown();
    }
}
