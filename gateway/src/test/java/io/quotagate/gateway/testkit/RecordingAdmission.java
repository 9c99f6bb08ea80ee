package io.quotagate.gateway.testkit;

import io.quotagate.gateway.admission.Admission;
import io.quotagate.gateway.admission.AdmissionRequest;
import io.quotagate.gateway.admission.Decision;
import io.quotagate.gateway.admission.RateLimitState;
import io.quotagate.gateway.admission.RejectionCode;
import io.quotagate.gateway.admission.UpstreamOutcome;
import io.quotagate.gateway.route.RouteMatch;
import io.quotagate.gateway.route.RouteTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A fake {@link Admission} for proxy tests: admits every routed request for a fixed tenant with
 * {@code needsSettlement = true} and the given rate-limit state, or rejects as {@link #rejectWith} says; can
 * answer asynchronously (from another thread, after a delay), and records every admit and settle call.
 */
public final class RecordingAdmission implements Admission {

    private final RouteTable routes;
    private final List<AdmissionRequest> admitted = new ArrayList<>();
    private final List<Settlement> settlements = new ArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile String tenant = "acme";
    private volatile RateLimitState rateLimit = new RateLimitState(10, 7, 0, 42);
    private volatile Function<AdmissionRequest, Decision.Rejected> rejectWith = r -> null;
    private volatile Duration delay = Duration.ZERO;

    public RecordingAdmission(RouteTable routes) {
        this.routes = routes;
    }

    /** One settle call. */
    public record Settlement(Decision.Admitted admitted, UpstreamOutcome outcome) {
    }

    public RecordingAdmission tenant(String tenant) {
        this.tenant = tenant;
        return this;
    }

    public RecordingAdmission rateLimit(RateLimitState state) {
        this.rateLimit = state;
        return this;
    }

    /** Returns a rejection for a request, or null to admit it. */
    public RecordingAdmission rejectWith(Function<AdmissionRequest, Decision.Rejected> rule) {
        this.rejectWith = rule;
        return this;
    }

    /** Completes decisions on another thread after this delay (zero: completed before admit returns). */
    public RecordingAdmission delay(Duration delay) {
        this.delay = delay;
        return this;
    }

    @Override
    public CompletionStage<Decision> admit(AdmissionRequest request) {
        synchronized (this) {
            admitted.add(request);
        }
        Decision decision = decide(request);
        if (delay.isZero()) {
            return CompletableFuture.completedFuture(decision);
        }
        Executor later = CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS);
        return CompletableFuture.supplyAsync(() -> decision, later);
    }

    private Decision decide(AdmissionRequest request) {
        Optional<RouteMatch> match = routes.match(request.method(), request.path());
        if (match.isEmpty()) {
            return Decision.Rejected.of(RejectionCode.ROUTE_NOT_FOUND);
        }
        Decision.Rejected rejected = rejectWith.apply(request);
        if (rejected != null) {
            return rejected;
        }
        return new Decision.Admitted(match.get(), tenant, "req-" + ids.incrementAndGet(), rateLimit, true, 1);
    }

    @Override
    public synchronized int settle(Decision.Admitted admitted, UpstreamOutcome outcome) {
        settlements.add(new Settlement(admitted, outcome));
        notifyAll();
        return 0;
    }

    public synchronized List<AdmissionRequest> admitCalls() {
        return List.copyOf(admitted);
    }

    public synchronized List<Settlement> settlements() {
        return List.copyOf(settlements);
    }

    /** Waits until at least {@code n} settle calls happened; returns all of them. */
    public synchronized List<Settlement> awaitSettlements(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (settlements.size() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + n + " settlements, got " + settlements);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return List.copyOf(settlements);
    }
}
