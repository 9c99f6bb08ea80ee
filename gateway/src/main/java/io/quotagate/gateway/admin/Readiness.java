package io.quotagate.gateway.admin;

import io.quotagate.gateway.store.QuotaStore;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /readyz}: ready while the store answers a cheap read within a short timeout. The probe reads one tenant
 * by a well-formed id (a malformed one would be answered without a round trip); it only reads, so it does no harm
 * if a tenant of that name exists.
 */
public final class Readiness {

    static final String PROBE_TENANT = "readyz-probe";

    private final QuotaStore store;
    private final Duration timeout;

    public Readiness(QuotaStore store, Duration timeout) {
        this.store = store;
        this.timeout = timeout;
    }

    /** Completes with true when the store answered in time, false otherwise; never exceptionally. */
    public CompletionStage<Boolean> check() {
        try {
            return store.tenant(PROBE_TENANT).toCompletableFuture().copy()
                    .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .handle((answer, error) -> error == null);
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.completedFuture(false);
        }
    }
}
