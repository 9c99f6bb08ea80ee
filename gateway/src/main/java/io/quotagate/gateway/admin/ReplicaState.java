package io.quotagate.gateway.admin;

import java.util.function.BooleanSupplier;

/**
 * What {@code /readyz} knows besides the store: whether the config file failed to load at the last reload (the
 * replica keeps serving the config in force, but is not ready until the file loads again), and whether the replica
 * is draining after SIGTERM. Thread-safe.
 */
public final class ReplicaState {

    private final BooleanSupplier configInvalid;
    private volatile boolean draining;

    /** @param configInvalid whether the last reload of the config file failed ({@code ConfigReloader::lastReloadFailed}) */
    public ReplicaState(BooleanSupplier configInvalid) {
        this.configInvalid = configInvalid;
    }

    /** A replica whose config never fails and which never drains (tests, embedded use). */
    public static ReplicaState alwaysValid() {
        return new ReplicaState(() -> false);
    }

    /** The replica stopped accepting and finishes its in-flight requests: not ready from now on. */
    public void drain() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    public boolean configInvalid() {
        return configInvalid.getAsBoolean();
    }
}
