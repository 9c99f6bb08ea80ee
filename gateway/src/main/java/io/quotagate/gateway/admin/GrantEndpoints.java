package io.quotagate.gateway.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quotagate.gateway.config.Catalog;
import io.quotagate.gateway.config.GatewayConfig;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** Translates the sales endpoints (grants and quotes) to {@link GrantService} and {@link Pricing} calls and back. */
final class GrantEndpoints {

    private static final String GROUP = "/v1/tenants/{id}/groups/{group}";

    private final GrantService grants;
    private final Supplier<GatewayConfig> configs;
    private final InstantSource clock;

    GrantEndpoints(GrantService grants, Supplier<GatewayConfig> configs, InstantSource clock) {
        this.grants = grants;
        this.configs = configs;
        this.clock = clock;
    }

    void register(AdminRouter router) {
        router.add("POST", GROUP + "/packs", AdminOperation.PACK_GRANT, this::grantPack)
                .add("POST", GROUP + "/qps", AdminOperation.QPS_BUY, this::buyQps)
                .add("POST", GROUP + "/templates", AdminOperation.TEMPLATE_GRANT, this::grantTemplates)
                .add("GET", "/v1/quotes/pack", this::quotePack)
                .add("GET", "/v1/quotes/qps", this::quoteQps)
                .add("GET", "/v1/quotes/template", this::quoteTemplate);
    }

    private CompletionStage<AdminResponse> grantPack(AdminRequest r) {
        long calls = r.positive("calls");
        String orderId = r.text("order_id");
        Instant grantedAt = r.optionalInstant("granted_at");
        Instant expiresAt = r.optionalInstant("expires_at");
        return grants.grantPack(r.param("id"), r.param("group"), calls, orderId, grantedAt, expiresAt)
                .thenApply(result -> Outcomes.of(result, granted -> AdminResponse.json(200,
                        sale(granted, orderId).set("lot", AdminJson.lot(granted.result())))));
    }

    private CompletionStage<AdminResponse> buyQps(AdminRequest r) {
        int qps = (int) Math.min(r.positive("qps"), Integer.MAX_VALUE);
        QpsTerm term = term(r.has("days") ? r.positive("days") : null, r.has("months") ? r.positive("months") : null);
        String orderId = r.text("order_id");
        Instant start = r.optionalInstant("start");
        return grants.buyQps(r.param("id"), r.param("group"), qps, term, orderId, start)
                .thenApply(result -> Outcomes.of(result, granted -> AdminResponse.json(200,
                        sale(granted, orderId).set("purchase", AdminJson.purchase(granted.result(), clock.instant())))));
    }

    private CompletionStage<AdminResponse> grantTemplates(AdminRequest r) {
        long slots = r.positive("slots");
        String orderId = r.text("order_id");
        return grants.grantTemplates(r.param("id"), r.param("group"), slots, orderId)
                .thenApply(result -> Outcomes.of(result, granted -> AdminResponse.json(200, sale(granted, orderId)
                        .set("templates", AdminJson.object().put("quota", granted.result().quota())
                                .put("used", granted.result().used())))));
    }

    private CompletionStage<AdminResponse> quotePack(AdminRequest r) {
        long calls = r.positiveQuery("calls");
        Catalog catalog = configs.get().catalog();
        return quote(Pricing.pack(catalog, calls), () -> "no " + calls + "-call pack in the catalog; pack sizes: "
                + Pricing.sizes(catalog.packs()));
    }

    private CompletionStage<AdminResponse> quoteTemplate(AdminRequest r) {
        long slots = r.positiveQuery("slots");
        Catalog catalog = configs.get().catalog();
        return quote(Pricing.templates(catalog, slots), () -> "no " + slots + "-slot template pack in the catalog; sizes: "
                + Pricing.sizes(catalog.templates()));
    }

    private CompletionStage<AdminResponse> quoteQps(AdminRequest r) {
        long qps = r.positiveQuery("qps");
        QpsTerm term = term(r.queryParam("days") != null ? r.positiveQuery("days") : null,
                r.queryParam("months") != null ? r.positiveQuery("months") : null);
        return quote(Pricing.qps(configs.get().catalog(), qps, term),
                () -> "the catalog has no QPS price per " + (term.unit() == QpsTerm.Unit.DAYS ? "day" : "month"));
    }

    private static CompletionStage<AdminResponse> quote(Optional<Pricing.Quote> quote, Supplier<String> missing) {
        AdminResponse response = quote.map(q -> AdminResponse.json(200, quoteJson(q)))
                .orElseGet(() -> AdminResponse.error(422, "invalid", missing.get()));
        return CompletableFuture.completedFuture(response);
    }

    static ObjectNode quoteJson(Pricing.Quote q) {
        ObjectNode body = AdminJson.object().put("kind", q.kind());
        switch (q.kind()) {
            case "pack" -> body.put("calls", q.quantity());
            case "template" -> body.put("slots", q.quantity());
            default -> body.put("qps", q.quantity()).put(q.term().field(), q.term().amount())
                    .put("unit_price", AdminJson.money(q.unitPrice()));
        }
        return body.put("price", AdminJson.money(q.price())).put("currency", q.currency());
    }

    /** Exactly one of days and months. */
    private static QpsTerm term(Long days, Long months) {
        if ((days == null) == (months == null)) {
            throw AdminException.badRequest("exactly one of days and months is required");
        }
        return days != null ? QpsTerm.days(days) : QpsTerm.months(months);
    }

    private static ObjectNode sale(GrantService.Granted<?> granted, String orderId) {
        return AdminJson.object().put("order_id", orderId).put("price", AdminJson.money(granted.price()))
                .put("currency", granted.currency());
    }
}
