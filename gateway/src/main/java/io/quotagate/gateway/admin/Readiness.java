package io.quotagate.gateway.admin;

import io.quotagate.gateway.store.QuotaStore;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /readyz}: ready while the store answers a cheap read within a short timeout. The probe reads a
 * tenant id no tenant can have ({@code __readyz__} breaks the id pattern), so it never touches real data.
 */
public final class Readiness {

    static final String PROBE_TENANT = "__readyz__";

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
