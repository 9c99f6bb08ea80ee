package io.quotagate.gateway.admin;

import io.quotagate.gateway.config.Catalog;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.events.BillingEvents;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.store.Lot;
import io.quotagate.gateway.store.OpResult;
import io.quotagate.gateway.store.QpsPurchase;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.TemplateQuota;
import io.quotagate.gateway.store.TenantOps;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Sales: packs, QPS purchases and template slots. Computes validity and the catalog price in force and leaves
 * the rest to the store, which applies each grant once per order id (rule 10) and checks {@code max_qps} over
 * the purchase's whole term. Off-catalog sizes are allowed (an operator may need a goodwill or migrated grant):
 * they are recorded with a null price.
 */
public final class GrantService {

    /**
     * A grant and the catalog price in force for it (null off catalog). On a repeated order the grant is the first
     * one; the price recorded in the ledger is the first one's too.
     */
    public record Granted<T>(T result, BigDecimal price, String currency) {
    }

    private final QuotaStore store;
    private final Supplier<GatewayConfig> configs;
    private final InstantSource clock;
    private final TenantService tenants;
    private final GatewayMetrics metrics;
    private final BillingEvents events;

    public GrantService(QuotaStore store, Supplier<GatewayConfig> configs, InstantSource clock, TenantService tenants,
                        GatewayMetrics metrics) {
        this(store, configs, clock, tenants, metrics, null);
    }

    /**
     * @param metrics counts {@code quotagate_grants_total{kind}} (a repeated order's answer counts too)
     * @param events  told about every grant applied (grant_applied, expiry reminders); null for none
     */
    public GrantService(QuotaStore store, Supplier<GatewayConfig> configs, InstantSource clock, TenantService tenants,
                        GatewayMetrics metrics, BillingEvents events) {
        this.store = store;
        this.configs = configs;
        this.clock = clock;
        this.tenants = tenants;
        this.events = events;
        this.metrics = metrics;
    }

    /**
     * @param grantedAt null: now
     * @param expiresAt null: {@code grantedAt} + {@code defaults.pack_validity}
     */
    public CompletionStage<OpResult<Granted<Lot>>> grantPack(String tenantId, String group, long calls, String orderId,
                                                              Instant grantedAt, Instant expiresAt) {
        Optional<OpResult<Granted<Lot>>> unknown = tenants.unknownGroup(group);
        if (unknown.isPresent()) {
            return TenantService.done(unknown.get());
        }
        GatewayConfig config = configs.get();
        Instant granted = grantedAt != null ? grantedAt : clock.instant();
        Instant expires = expiresAt != null ? expiresAt : config.defaults().packValidity().addTo(granted);
        Catalog catalog = config.catalog();
        BigDecimal price = Pricing.pack(catalog, calls).map(Pricing.Quote::price).orElse(null);
        return store.grantPack(new TenantOps.GrantPack(tenantId, group, calls, orderId, granted, expires, price,
                catalog.currency()))
                .thenApply(r -> TenantService.notify(r, events == null ? null : lot -> events.packGranted(tenantId, group, lot)))
                .thenApply(result -> granted("pack", result, price, catalog));
    }

    /** @param start null: now */
    public CompletionStage<OpResult<Granted<QpsPurchase>>> buyQps(String tenantId, String group, int qps, QpsTerm term,
                                                                   String orderId, Instant start) {
        Optional<OpResult<Granted<QpsPurchase>>> unknown = tenants.unknownGroup(group);
        if (unknown.isPresent()) {
            return TenantService.done(unknown.get());
        }
        GatewayConfig config = configs.get();
        Instant now = clock.instant();
        Instant starts = start != null ? start : now;
        int maxQps = config.override(tenantId, group).maxQps(config.groups().get(group));
        Catalog catalog = config.catalog();
        BigDecimal price = Pricing.qps(catalog, qps, term).map(Pricing.Quote::price).orElse(null);
        return store.buyQps(new TenantOps.BuyQps(tenantId, group, qps, starts, term.end(starts), maxQps, orderId, price,
                catalog.currency(), now))
                .thenApply(r -> TenantService.notify(r, events == null ? null : p -> events.qpsBought(tenantId, group, p)))
                .thenApply(result -> granted("qps", result, price, catalog));
    }

    public CompletionStage<OpResult<Granted<TemplateQuota>>> grantTemplates(String tenantId, String group, long slots,
                                                                            String orderId) {
        Optional<OpResult<Granted<TemplateQuota>>> unknown = tenants.unknownGroup(group);
        if (unknown.isPresent()) {
            return TenantService.done(unknown.get());
        }
        Catalog catalog = configs.get().catalog();
        BigDecimal price = Pricing.templates(catalog, slots).map(Pricing.Quote::price).orElse(null);
        return store.grantTemplates(new TenantOps.GrantTemplates(tenantId, group, slots, orderId, price,
                catalog.currency(), clock.instant()))
                .thenApply(r -> TenantService.notify(r, events == null ? null
                        : t -> events.templatesGranted(tenantId, group, orderId, slots)))
                .thenApply(result -> granted("templates", result, price, catalog));
    }

    private <T> OpResult<Granted<T>> granted(String kind, OpResult<T> result, BigDecimal price, Catalog catalog) {
        if (result instanceof OpResult.Ok<T>) {
            metrics.granted(kind);
        }
        return TenantService.map(result, value -> new Granted<>(value, price, catalog.currency()));
    }
}
