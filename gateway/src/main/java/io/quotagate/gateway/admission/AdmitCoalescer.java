package io.quotagate.gateway.admission;

import io.quotagate.gateway.store.AdmitCommand;
import io.quotagate.gateway.store.AdmitResult;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.StoreUnavailableException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Gathers the admits one event loop makes while it handles its ready connections, and sends them to the store
 * together when that pass ends: one {@link QuotaStore#admitAll} per tenant and group, so a store call's cost (a
 * round trip, a script's reads and writes) is paid once for every request that arrived together, and the replies
 * come back onto the loop once per call.
 *
 * <p>Bounded: at most {@code maxInFlight} store calls per loop. While that many are out, further admits wait here
 * (their clients wait; nothing times out or fails) and leave together when a call returns, so a busy store slows
 * the gateway down instead of turning into errors, and the batches grow with the load.
 *
 * <p>Confined to its loop's thread: {@link #admit} is called there, and every completion hops back there.
 */
final class AdmitCoalescer {

    /** What {@link AdmitCoalescer} reports about each store call it makes (the store metrics). */
    interface Observer {
        /** A call is sent; returns what {@link #callEnded} gets back. */
        long callStarted();

        /** That call was answered or failed; it decided {@code requests} admits. */
        void callEnded(long started, int requests);

        Observer NONE = new Observer() {
            @Override
            public long callStarted() {
                return 0;
            }

            @Override
            public void callEnded(long started, int requests) {
            }
        };
    }

    private record Pending(AdmitCommand command, CompletableFuture<AdmitResult> result) {
    }

    private final Executor loop;
    private final Thread owner;
    private final QuotaStore store;
    private final int maxInFlight;
    private final Observer observer;
    private ArrayList<Pending> queue = new ArrayList<>();
    private boolean flushScheduled;
    private int inFlight;

    /** Must be created on the loop's own thread. */
    AdmitCoalescer(Executor loop, QuotaStore store, int maxInFlight, Observer observer) {
        this.loop = loop;
        this.owner = Thread.currentThread();
        this.store = store;
        this.maxInFlight = maxInFlight;
        this.observer = observer;
    }

    boolean servesCurrentThread(Executor executor) {
        return executor == loop && Thread.currentThread() == owner;
    }

    /** Queues one admit; it leaves with the others of this pass. */
    CompletableFuture<AdmitResult> admit(AdmitCommand command) {
        CompletableFuture<AdmitResult> result = new CompletableFuture<>();
        queue.add(new Pending(command, result));
        scheduleFlush();
        return result;
    }

    /** Admits waiting to be sent (for tests and metrics). */
    int queued() {
        return queue.size();
    }

    private void scheduleFlush() {
        if (!flushScheduled && inFlight < maxInFlight) {
            flushScheduled = true;
            try {
                // Runs after the loop has handled every connection that was ready in this pass.
                loop.execute(this::flush);
            } catch (RejectedExecutionException stopped) {
                flushScheduled = false;
                List<Pending> dropped = queue;
                queue = new ArrayList<>();
                StoreUnavailableException error = new StoreUnavailableException("event loop stopped before the admit was sent", stopped);
                dropped.forEach(p -> p.result().completeExceptionally(error));
            }
        }
    }

    private void flush() {
        flushScheduled = false;
        if (queue.isEmpty()) {
            return;
        }
        Map<String, List<Pending>> calls = new LinkedHashMap<>();
        for (Pending p : queue) {
            calls.computeIfAbsent(p.command().tenantId() + '\u0000' + p.command().group(), k -> new ArrayList<>(4)).add(p);
        }
        queue = new ArrayList<>();
        for (List<Pending> call : calls.values()) {
            if (inFlight < maxInFlight) {
                send(call);
            } else {
                queue.addAll(call); // the next flush takes them, when a call returns
            }
        }
    }

    private void send(List<Pending> call) {
        inFlight++;
        long started = observer.callStarted();
        List<AdmitCommand> commands = new ArrayList<>(call.size());
        for (Pending p : call) {
            commands.add(p.command());
        }
        CompletableFuture<List<AdmitResult>> sent;
        try {
            sent = store.admitAll(commands).toCompletableFuture();
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((results, error) -> {
            if (Thread.currentThread() == owner) {
                returned(call, results, error, started);
                return;
            }
            try {
                loop.execute(() -> returned(call, results, error, started));
            } catch (RejectedExecutionException stopped) {
                // The loop stopped (shutdown): deliver here, so every decision still reaches its caller, which
                // settles what can no longer be sent.
                returned(call, results, error, started);
            }
        });
    }

    private void returned(List<Pending> call, List<AdmitResult> results, Throwable error, long started) {
        inFlight--;
        observer.callEnded(started, call.size());
        for (int i = 0; i < call.size(); i++) {
            if (error == null) {
                call.get(i).result().complete(results.get(i));
            } else {
                call.get(i).result().completeExceptionally(error);
            }
        }
        if (!queue.isEmpty()) {
            scheduleFlush();
        }
    }
}
