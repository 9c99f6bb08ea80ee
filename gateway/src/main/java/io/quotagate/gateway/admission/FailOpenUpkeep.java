package io.quotagate.gateway.admission;

import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.store.OpResult;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.UnchargedEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background side of failing open, on a thread of its own and never on the request path. Every
 * {@code interval} it sends this replica's heartbeat to the store (the answer, the replicas live, sets the local
 * share of {@link FailOpenLimiter}), closes the current outage once the store answers and no request failed open
 * for a whole interval, and writes the pending uncharged entries to the ledger; an entry that fails stays pending
 * for the next beat (the store writes an id once, so a retry after a timeout cannot write it twice).
 *
 * <p>{@link #close()} stops the beats and tries once more to write everything counted, the current outage
 * included; what still cannot be written is logged, one WARN line per tenant and group with its counts (no key
 * material), so nothing is lost silently.
 */
public final class FailOpenUpkeep implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FailOpenUpkeep.class);
    /** How often a replica beats: "live replicas" is at most this old when an outage starts. */
    public static final Duration INTERVAL = Duration.ofSeconds(2);
    /** Entries written per beat at most, so a long backlog does not flood a store that just came back. */
    private static final int WRITES_PER_BEAT = 1000;
    /** How long a stopping replica waits for its last writes. */
    private static final Duration LAST_WRITES = Duration.ofSeconds(3);

    private final QuotaStore store;
    private final FailOpen failOpen;
    private final GatewayMetrics metrics;
    private final Duration interval;
    /** A replica missing three beats is no longer counted live by the others. */
    private final Duration replicaTtl;
    private final ScheduledExecutorService scheduler;
    private volatile boolean closed;

    public FailOpenUpkeep(QuotaStore store, FailOpen failOpen, GatewayMetrics metrics, Duration interval) {
        this.store = store;
        this.failOpen = failOpen;
        this.metrics = metrics;
        this.interval = interval;
        this.replicaTtl = interval.multipliedBy(3);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "quotagate-fail-open");
            t.setDaemon(true);
            return t;
        });
        metrics.unchargedPending(failOpen.uncharged()::unwritten);
        metrics.liveReplicas(failOpen.limiter()::replicas);
    }

    public String replicaId() {
        return failOpen.replicaId();
    }

    /** Starts beating now, then every interval after the previous beat finished. */
    public FailOpenUpkeep start() {
        scheduler.execute(this::beat);
        return this;
    }

    private void beat() {
        if (closed) {
            return;
        }
        CompletionStage<Void> done;
        try {
            done = tick();
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((ok, error) -> {
            if (error != null) {
                LOG.warn("fail-open upkeep beat failed: {}", error.toString());
            }
            try {
                if (!closed) {
                    scheduler.schedule(this::beat, interval.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (RejectedExecutionException stopped) {
                // closed meanwhile
            }
        });
    }

    /** One beat: heartbeat, then (if the store answered) close a quiet outage and write what is pending. */
    CompletionStage<Void> tick() {
        return store.heartbeat(failOpen.replicaId(), replicaTtl).handle((live, error) -> {
            if (error == null) {
                failOpen.limiter().replicasSeen(live);
            }
            if (failOpen.uncharged().tick(error == null)) {
                failOpen.limiter().forgetWindows(); // quiet for a whole interval: no window holds anything younger
            }
            return error == null;
        }).thenCompose(answered -> {
            if (!answered) {
                return CompletableFuture.completedFuture(null);
            }
            List<UnchargedEntry> pending = failOpen.uncharged().pending();
            return writeAll(pending.subList(0, Math.min(pending.size(), WRITES_PER_BEAT)));
        });
    }

    private CompletableFuture<Void> writeAll(List<UnchargedEntry> entries) {
        return CompletableFuture.allOf(entries.stream().map(e -> write(e).toCompletableFuture())
                .toArray(CompletableFuture[]::new));
    }

    /** Writes one entry; completes normally whatever happens: a failed write leaves the entry pending. */
    private CompletionStage<Void> write(UnchargedEntry e) {
        return store.recordUncharged(e).handle((result, error) -> {
            if (error != null) {
                return null;
            }
            if (result instanceof OpResult.Refused<Boolean> refused) {
                // The store will never take it (a tenant this Redis no longer has): say once what is lost.
                if (failOpen.uncharged().done(e)) {
                    LOG.warn("uncharged admissions dropped, the store refused them ({}: {}): tenant={} group={} "
                                    + "requests={} calls={} first={} last={} id={}", refused.refusal(), refused.message(),
                            e.tenantId(), e.group(), e.requests(), e.calls(), e.first(), e.last(), e.id());
                }
                return null;
            }
            if (failOpen.uncharged().done(e)) {
                metrics.unchargedWritten(e.group(), e.requests());
            }
            return null;
        });
    }

    /**
     * Stops the beats, closes the current outage and tries once to write every entry (waiting a few seconds at
     * most); logs what is left, one WARN line per tenant and group.
     */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        List<UnchargedEntry> left = failOpen.uncharged().closeAll();
        if (left.isEmpty()) {
            return;
        }
        try {
            writeAll(left).get(LAST_WRITES.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // what did not land is logged below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<List<String>, List<UnchargedEntry>> unwritten = new LinkedHashMap<>();
        for (UnchargedEntry e : failOpen.uncharged().pending()) {
            unwritten.computeIfAbsent(List.of(e.tenantId(), e.group()), k -> new ArrayList<>()).add(e);
        }
        unwritten.forEach((tenantGroup, entries) -> LOG.warn("stopping with uncharged admissions the ledger did not "
                        + "confirm (the store did not answer; an id found in the ledger was written): tenant={} group={} "
                        + "requests={} calls={} first={} last={} replica={} ids={}", tenantGroup.get(0), tenantGroup.get(1),
                entries.stream().mapToLong(UnchargedEntry::requests).sum(),
                entries.stream().mapToLong(UnchargedEntry::calls).sum(),
                entries.stream().map(UnchargedEntry::first).min(Comparator.naturalOrder()).orElseThrow(),
                entries.stream().map(UnchargedEntry::last).max(Comparator.naturalOrder()).orElseThrow(),
                failOpen.replicaId(), entries.stream().map(UnchargedEntry::id).toList()));
    }
}
