package io.quotagate.gateway.admin;

import io.quotagate.gateway.config.AdminConfig;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.events.BillingEvents;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.store.QuotaStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Wires the admin API: services over the store and the config in force, endpoints over the services, one router.
 * Reads like its table of contents.
 *
 * @param configs    the config in force (groups, defaults, overrides, catalog), read once per call
 * @param control    reload of the config file (the composition root: {@code () -> reloader.reload("admin")})
 * @param clock      now, for grants, balances and usage ranges
 * @param state      what else readiness depends on (the config loaded, the replica not draining)
 * @param events     billing events: told about grants and status changes, listed and replayed; null for none
 */
public record AdminApi(String token, QuotaStore store, Supplier<GatewayConfig> configs, ConfigControl control,
                       GatewayMetrics metrics, InstantSource clock, ReplicaState state, BillingEvents events) {

    /** How long {@code /readyz} waits for the store. */
    static final Duration READINESS_TIMEOUT = Duration.ofSeconds(1);

    public AdminApi {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(configs, "configs");
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(state, "state");
    }

    /** An admin API whose readiness depends on the store only, without billing events. */
    public AdminApi(String token, QuotaStore store, Supplier<GatewayConfig> configs, ConfigControl control,
                    GatewayMetrics metrics, InstantSource clock) {
        this(token, store, configs, control, metrics, clock, ReplicaState.alwaysValid(), null);
    }

    /** An admin API without billing events. */
    public AdminApi(String token, QuotaStore store, Supplier<GatewayConfig> configs, ConfigControl control,
                    GatewayMetrics metrics, InstantSource clock, ReplicaState state) {
        this(token, store, configs, control, metrics, clock, state, null);
    }

    /** An admin API whose readiness depends on the store only. */
    public AdminApi(String token, QuotaStore store, Supplier<GatewayConfig> configs, ConfigControl control,
                    GatewayMetrics metrics, InstantSource clock, BillingEvents events) {
        this(token, store, configs, control, metrics, clock, ReplicaState.alwaysValid(), events);
    }

    /**
     * @param blocking where blocking work (a config reload) runs
     * @param throttle settings of the wrong-token throttle (per client address)
     * @param audit    where operations are written
     * @throws IllegalArgumentException when the token is null or empty
     */
    AdminDispatcher dispatcher(Executor blocking, AdminConfig.Throttle throttle, AuditLog audit) {
        AdminGuard guard = new AdminGuard(new AdminAuth(token), new AdminThrottle(throttle, clock), metrics);
        TenantService tenants = new TenantService(store, configs, clock, events);
        GrantService grants = new GrantService(store, configs, clock, tenants, metrics, events);
        AdminRouter router = new AdminRouter();
        systemEndpoints(blocking).register(router);
        new TenantEndpoints(tenants, configs, clock, new LowCalls(store, configs, clock)).register(router);
        new GrantEndpoints(grants, configs, clock).register(router);
        if (events != null) {
            new EventEndpoints(events.store(), clock).register(router);
        }
        return new AdminDispatcher(guard, router, audit, clock);
    }

    /** The status listener's endpoints ({@code /metrics}, {@code /healthz}, {@code /readyz}), open to anyone. */
    AdminDispatcher statusDispatcher(Executor blocking) {
        AdminRouter router = new AdminRouter();
        systemEndpoints(blocking).registerProbes(router);
        return new AdminDispatcher(null, router, null, clock);
    }

    private SystemEndpoints systemEndpoints(Executor blocking) {
        return new SystemEndpoints(new Readiness(store, READINESS_TIMEOUT, state), metrics, configs, control, blocking);
    }

    @Override
    public String toString() {
        return "AdminApi[token=<redacted>, store=" + store + "]";
    }
}
