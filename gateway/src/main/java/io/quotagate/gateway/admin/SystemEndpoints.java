package io.quotagate.gateway.admin;

import io.quotagate.gateway.metrics.GatewayMetrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** Health, readiness, metrics and the config endpoints. */
final class SystemEndpoints {

    /** The paths answered without a token (probes of orchestrators carry none). */
    static final java.util.Set<String> PUBLIC_PATHS = java.util.Set.of("/healthz", "/readyz");

    private final Readiness readiness;
    private final GatewayMetrics metrics;
    private final ConfigControl config;
    private final Executor blocking;

    /** @param blocking runs the reload (file reads) off the event loop, one at a time */
    SystemEndpoints(Readiness readiness, GatewayMetrics metrics, ConfigControl config, Executor blocking) {
        this.readiness = readiness;
        this.metrics = metrics;
        this.config = config;
        this.blocking = blocking;
    }

    void register(AdminRouter router) {
        router.add("GET", "/healthz", r -> done(AdminResponse.json(200, AdminJson.object().put("status", "ok"))))
                .add("GET", "/readyz", r -> readiness.check().thenApply(ready -> ready
                        ? AdminResponse.json(200, AdminJson.object().put("status", "ready"))
                        : AdminResponse.json(503, AdminJson.object().put("status", "store_unavailable"))))
                .add("GET", "/metrics", r -> done(AdminResponse.text(200, AdminResponse.PROMETHEUS, metrics.scrape())))
                .add("GET", "/v1/config", r -> done(AdminResponse.json(200, ConfigJson.info(config.current()))))
                .add("POST", "/v1/config/reload", r -> CompletableFuture.supplyAsync(config::reload, blocking)
                        .thenApply(SystemEndpoints::reloaded));
    }

    private static AdminResponse reloaded(ReloadResult result) {
        if (result instanceof ReloadResult.Applied applied) {
            return AdminResponse.json(200, AdminJson.object().put("result", applied.changed() ? "applied" : "unchanged")
                    .put("source", applied.current().config().source())
                    .put("content_hash", applied.current().config().contentHash())
                    .put("loaded_at", AdminJson.time(applied.current().loadedAt())));
        }
        return AdminResponse.error(422, "config_invalid", ((ReloadResult.Failed) result).message());
    }

    private static CompletionStage<AdminResponse> done(AdminResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
