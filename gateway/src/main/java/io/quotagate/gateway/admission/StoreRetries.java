package io.quotagate.gateway.admission;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs store steps that must land eventually (a settlement, the cancel of an admit whose outcome is unknown)
 * and retries them with capped exponential backoff while the store is unreachable. The steps are idempotent by
 * request id, so a retry never refunds twice. Bounded: past {@code maxPending} steps, or after {@code giveUpAfter},
 * a step is dropped with an ERROR log naming the request, for reconciliation from the ledger.
 */
public final class StoreRetries implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StoreRetries.class);
    private static final long FIRST_DELAY_MS = 100;
    private static final long MAX_DELAY_MS = 30_000;

    private final ScheduledExecutorService scheduler;
    private final int maxPending;
    private final long giveUpAfterMs;
    private final AtomicInteger pending = new AtomicInteger();
    /** Steps submitted and not yet applied or given up, first attempts included. */
    private final AtomicInteger unfinished = new AtomicInteger();

    public StoreRetries(int maxPending, Duration giveUpAfter) {
        this.maxPending = maxPending;
        this.giveUpAfterMs = giveUpAfter.toMillis();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "quotagate-store-retries");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code step} now and retries it until it succeeds. */
    public void submit(String what, Supplier<CompletionStage<Void>> step) {
        unfinished.incrementAndGet();
        attempt(what, step, System.currentTimeMillis(), FIRST_DELAY_MS, false);
    }

    /** Steps waiting for a retry now. */
    public int pending() {
        return pending.get();
    }

    private void attempt(String what, Supplier<CompletionStage<Void>> step, long startedMs, long delayMs, boolean counted) {
        CompletionStage<Void> stage;
        try {
            stage = step.get();
        } catch (RuntimeException e) {
            stage = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((ok, error) -> {
            if (error == null) {
                if (counted) {
                    pending.decrementAndGet();
                }
                unfinished.decrementAndGet();
                return;
            }
            retryLater(what, step, startedMs, delayMs, counted, error);
        });
    }

    private void retryLater(String what, Supplier<CompletionStage<Void>> step, long startedMs, long delayMs,
                            boolean counted, Throwable error) {
        boolean expired = System.currentTimeMillis() - startedMs > giveUpAfterMs;
        if (!counted && pending.incrementAndGet() > maxPending || expired) {
            pending.decrementAndGet();
            unfinished.decrementAndGet();
            LOG.error("giving up on store step {} (pending={}): {}", what, pending.get(), error.toString());
            return;
        }
        if (delayMs == FIRST_DELAY_MS) {
            LOG.warn("store step {} failed, retrying: {}", what, error.toString());
        }
        try {
            scheduler.schedule(() -> attempt(what, step, startedMs, Math.min(delayMs * 2, MAX_DELAY_MS), true),
                    delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            pending.decrementAndGet();
            unfinished.decrementAndGet();
            LOG.error("store step {} dropped at shutdown", what);
        }
    }

    /**
     * Waits until every submitted step was applied or given up, at most {@code timeout}: a stopping replica calls
     * it after its last exchange ended, so the settlements of those exchanges reach the store before it closes.
     * Returns the number of steps still unfinished (0 when all landed).
     */
    public int drain(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (unfinished.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return unfinished.get();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
