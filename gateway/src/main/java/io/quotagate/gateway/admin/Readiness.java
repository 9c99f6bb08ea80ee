package io.quotagate.gateway.admin;

import io.quotagate.gateway.store.QuotaStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /readyz}: ready while the replica is not draining, its config file loaded at the last reload, and the
 * store answers a cheap read within a short timeout. The probe reads one tenant by a well-formed id (a malformed one
 * would be answered without a round trip); it only reads, so it does no harm if a tenant of that name exists.
 */
public final class Readiness {

    static final String PROBE_TENANT = "readyz-probe";

    /** The answer, with the wire name {@code /readyz} writes as its {@code status}. */
    public enum Status {
        READY("ready"), DRAINING("draining"), CONFIG_INVALID("config_invalid"), STORE_UNAVAILABLE("store_unavailable");

        private final String wire;

        Status(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    private final QuotaStore store;
    private final Duration timeout;
    private final ReplicaState state;

    public Readiness(QuotaStore store, Duration timeout, ReplicaState state) {
        this.store = store;
        this.timeout = timeout;
        this.state = state;
    }

    /** Completes with the first reason not to be ready, or {@link Status#READY}; never exceptionally. */
    public CompletionStage<Status> check() {
        if (state.draining()) {
            return CompletableFuture.completedFuture(Status.DRAINING);
        }
        if (state.configInvalid()) {
            return CompletableFuture.completedFuture(Status.CONFIG_INVALID);
        }
        try {
            return store.tenant(PROBE_TENANT).toCompletableFuture().copy()
                    .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .handle((answer, error) -> error == null ? Status.READY : Status.STORE_UNAVAILABLE);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(Status.STORE_UNAVAILABLE);
        }
    }
}
