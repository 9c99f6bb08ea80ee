package io.quotagate.gateway.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.reload.ReloadResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/** Health, readiness, metrics and the config endpoints. */
final class SystemEndpoints {

    /** The paths answered without a token (probes of orchestrators carry none). */
    static final java.util.Set<String> PUBLIC_PATHS = java.util.Set.of("/healthz", "/readyz");

    private final Readiness readiness;
    private final GatewayMetrics metrics;
    private final Supplier<GatewayConfig> configs;
    private final ConfigControl control;
    private final Executor blocking;

    /** @param blocking runs the reload (file reads) off the event loop, one at a time */
    SystemEndpoints(Readiness readiness, GatewayMetrics metrics, Supplier<GatewayConfig> configs, ConfigControl control,
                    Executor blocking) {
        this.readiness = readiness;
        this.metrics = metrics;
        this.configs = configs;
        this.control = control;
        this.blocking = blocking;
    }

    void register(AdminRouter router) {
        registerProbes(router);
        router.add("GET", "/v1/config", r -> done(AdminResponse.json(200, ConfigJson.info(configs.get()))))
                .add("POST", "/v1/config/reload", AdminOperation.CONFIG_RELOAD, r -> CompletableFuture.supplyAsync(control::reload, blocking)
                        .thenApply(SystemEndpoints::reloaded));
    }

    /** The endpoints the status listener serves too: health, readiness (200 or 503 with the reason) and metrics. */
    void registerProbes(AdminRouter router) {
        router.add("GET", "/healthz", r -> done(AdminResponse.json(200, AdminJson.object().put("status", "ok"))))
                .add("GET", "/readyz", r -> readiness.check().thenApply(status -> AdminResponse.json(
                        status == Readiness.Status.READY ? 200 : 503, AdminJson.object().put("status", status.wire()))))
                .add("GET", "/metrics", r -> done(AdminResponse.text(200, AdminResponse.PROMETHEUS, metrics.scrape())));
    }

    /** Applied or unchanged: 200 with the hash in force; refused: 422 {@code config_invalid} with FILE:LINE: key: detail. */
    private static AdminResponse reloaded(ReloadResult result) {
        if (result instanceof ReloadResult.Failed failed) {
            return AdminResponse.error(422, "config_invalid", failed.error().getMessage());
        }
        ObjectNode body = AdminJson.object().put("result", result instanceof ReloadResult.Applied ? "applied" : "unchanged")
                .put("content_hash", result.hashInForce());
        if (result instanceof ReloadResult.Applied applied) {
            body.put("source", applied.config().source()).put("previous_hash", applied.previousHash());
            ArrayNode restart = body.putArray("restart_required");
            applied.restartRequired().forEach(restart::add);
        }
        return AdminResponse.json(200, body);
    }

    private static CompletionStage<AdminResponse> done(AdminResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
