package io.quotagate.gateway.admission;

import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.route.RouteMatch;
import io.quotagate.gateway.store.AdmitCommand;
import io.quotagate.gateway.store.AdmitResult;
import io.quotagate.gateway.store.BillingMode;
import java.time.InstantSource;

/**
 * What a group with {@code on_error: allow} does when the store cannot be reached, for a key the store admitted on
 * this replica recently ({@code RecentKeys}): the request is forwarded uncharged within this replica's share of the
 * tenant's QPS limit ({@link FailOpenLimiter}), or refused {@code 429 qps_exceeded} with {@code Retry-After} past
 * it; every request forwarded is counted ({@link UnchargedAdmissions}) and written to the tenant's ledger once the
 * store is back ({@link FailOpenUpkeep}). One per replica, shared by admission and the background task.
 */
public final class FailOpen {

    /** Tenants (and windows) remembered at most; as {@code RecentKeys}. */
    private static final int MAX_ENTRIES = 100_000;

    private final FailOpenLimiter limiter = new FailOpenLimiter(MAX_ENTRIES);
    private final UnchargedAdmissions uncharged;
    private final GatewayMetrics metrics;
    private final InstantSource clock;

    /** @param replicaId this replica's id, part of each ledger entry's id (the request id prefix, {@link RequestIds}) */
    public FailOpen(String replicaId, GatewayMetrics metrics, InstantSource clock) {
        this.uncharged = new UnchargedAdmissions(replicaId);
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The store admitted {@code c}: remembers the mode and the limit it applied (each admission, groups failing open). */
    void remember(AdmitCommand c, AdmitResult.Admitted admitted) {
        limiter.remember(c.tenantId(), c.group(), admitted.mode(), admitted.limit(), c.qpsLimited());
    }

    /** The store failed for {@code c}, whose key is known valid: forward uncharged within the local share, or 429. */
    Decision admit(RouteMatch route, AdmitCommand c) {
        long now = clock.millis();
        if (c.qpsLimited()) {
            FailOpenLimiter.Verdict v = limiter.acquire(c.tenantId(), c.group(), c.countModeQps(), now);
            if (!v.admitted()) {
                metrics.failOpenLimited(c.group());
                long retryAfter = Math.max(1, (v.waitMillis() + 999) / 1000);
                return new Decision.Rejected(RejectionCode.QPS_EXCEEDED, RejectionCode.QPS_EXCEEDED.defaultMessage(),
                        new RateLimitState(v.limit(), 0, retryAfter, -1), retryAfter, route.group().name(), c.tenantId());
            }
        }
        FailOpenLimiter.Limit known = limiter.known(c.tenantId(), c.group());
        boolean qpsMode = known != null && known.mode() == BillingMode.QPS;
        uncharged.count(c.tenantId(), c.group(), qpsMode ? 0 : c.cost(), now);
        metrics.failOpen(c.group());
        return new Decision.Admitted(route, c.tenantId(), c.requestId(), null, false, 0);
    }

    public String replicaId() {
        return uncharged.replicaId();
    }

    FailOpenLimiter limiter() {
        return limiter;
    }

    UnchargedAdmissions uncharged() {
        return uncharged;
    }
}
