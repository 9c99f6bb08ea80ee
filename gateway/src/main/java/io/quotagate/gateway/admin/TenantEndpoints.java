package io.quotagate.gateway.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.KeyInfo;
import io.quotagate.gateway.store.LedgerEntry;
import io.quotagate.gateway.store.TenantView;
import io.quotagate.gateway.store.UsageDay;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** Translates the tenant, key, mode, usage and ledger endpoints to {@link TenantService} calls and back. */
final class TenantEndpoints {

    private final TenantService tenants;
    private final Supplier<GatewayConfig> configs;
    private final InstantSource clock;
    private final LowCalls lowCalls;

    TenantEndpoints(TenantService tenants, Supplier<GatewayConfig> configs, InstantSource clock, LowCalls lowCalls) {
        this.tenants = tenants;
        this.configs = configs;
        this.clock = clock;
        this.lowCalls = lowCalls;
    }

    void register(AdminRouter router) {
        router.add("POST", "/v1/tenants", AdminOperation.TENANT_CREATE, this::create)
                .add("GET", "/v1/tenants", this::list)
                .add("GET", "/v1/tenants/{id}", r -> tenants.show(r.param("id")).thenApply(this::tenant))
                .add("POST", "/v1/tenants/{id}/suspend", AdminOperation.TENANT_SUSPEND,
                        r -> tenants.setStatus(r.param("id"), TenantView.Status.SUSPENDED).thenApply(this::tenant))
                .add("POST", "/v1/tenants/{id}/resume", AdminOperation.TENANT_RESUME,
                        r -> tenants.setStatus(r.param("id"), TenantView.Status.ACTIVE).thenApply(this::tenant))
                .add("POST", "/v1/tenants/{id}/keys", AdminOperation.KEY_CREATE, this::createKey)
                .add("GET", "/v1/tenants/{id}/keys", this::keys)
                .add("DELETE", "/v1/tenants/{id}/keys/{keyId}", AdminOperation.KEY_REVOKE, r -> tenants.revokeKey(r.param("id"), r.param("keyId"))
                        .thenApply(result -> Outcomes.of(result, key -> AdminResponse.json(200, AdminJson.key(key)))))
                .add("PUT", "/v1/tenants/{id}/groups/{group}/mode", AdminOperation.MODE_SET, this::setMode)
                .add("GET", "/v1/tenants/{id}/usage", this::usage)
                .add("GET", "/v1/tenants/{id}/ledger", this::ledger);
    }

    private CompletionStage<AdminResponse> create(AdminRequest request) {
        String id = request.text("id");
        String name = request.optionalText("name");
        return tenants.create(id, name).thenApply(result -> Outcomes.of(result, created -> {
            TenantView t = created.tenant();
            return AdminResponse.json(201, AdminJson.object().put("id", t.id()).put("name", t.name())
                    .put("status", status(t)).put("key_id", created.keyId()).put("api_key", created.apiKey()));
        }));
    }

    private CompletionStage<AdminResponse> list(AdminRequest request) {
        if (request.queryParam("low") != null) {
            return low(request);
        }
        return tenants.list().thenApply(all -> {
            ObjectNode body = AdminJson.object();
            ArrayNode list = body.putArray("tenants");
            for (TenantView t : all) {
                list.add(AdminJson.object().put("id", t.id()).put("name", t.name()).put("status", status(t))
                        .put("created_at", AdminJson.time(t.createdAt())));
            }
            return AdminResponse.json(200, body);
        });
    }

    /** {@code GET /v1/tenants?low=true[&threshold=N]}: the tenants low on calls, by a fresh bounded scan. */
    private CompletionStage<AdminResponse> low(AdminRequest request) {
        if (!"true".equals(request.queryParam("low"))) {
            throw AdminException.badRequest("low: " + request.queryParam("low") + " (expected: true)");
        }
        long threshold = request.queryParam("threshold") == null ? 0 : request.positiveQuery("threshold");
        return lowCalls.scan(threshold, Runnable::run).thenApply(scan -> {
            ObjectNode body = AdminJson.object().put("threshold", scan.threshold())
                    .put("tenants_read", scan.tenantsRead()).put("truncated", scan.truncated());
            ArrayNode list = body.putArray("low");
            scan.low().forEach(l -> list.add(AdminJson.object().put("tenant", l.tenant()).put("group", l.group())
                    .put("calls_remaining", l.callsRemaining())));
            return AdminResponse.json(200, body);
        });
    }

    private CompletionStage<AdminResponse> createKey(AdminRequest request) {
        return tenants.createKey(request.param("id")).thenApply(result -> Outcomes.of(result, created ->
                AdminResponse.json(201, AdminJson.object().put("key_id", created.key().keyId())
                        .put("api_key", created.apiKey()).put("created_at", AdminJson.time(created.key().createdAt())))));
    }

    private CompletionStage<AdminResponse> keys(AdminRequest request) {
        return tenants.keys(request.param("id")).thenApply(result -> Outcomes.of(result, keys -> {
            ObjectNode body = AdminJson.object().put("tenant", request.param("id"));
            ArrayNode list = body.putArray("keys");
            keys.stream().sorted(java.util.Comparator.comparing(KeyInfo::createdAt).thenComparing(KeyInfo::keyId))
                    .forEach(key -> list.add(AdminJson.key(key)));
            return AdminResponse.json(200, body);
        }));
    }

    private CompletionStage<AdminResponse> setMode(AdminRequest request) {
        String mode = request.text("mode");
        BillingMode billing = switch (mode) {
            case "count" -> BillingMode.COUNT;
            case "qps" -> BillingMode.QPS;
            default -> throw AdminException.badRequest("mode: " + mode + " (expected: count or qps)");
        };
        return tenants.setMode(request.param("id"), request.param("group"), billing).thenApply(this::tenant);
    }

    private CompletionStage<AdminResponse> usage(AdminRequest request) {
        return tenants.usage(request.param("id"), request.queryParam("group"), request.dateQuery("from"),
                request.dateQuery("to")).thenApply(result -> Outcomes.of(result, usage -> {
                    ObjectNode body = AdminJson.object().put("tenant", usage.tenantId())
                            .put("from", usage.from().toString()).put("to", usage.to().toString());
                    ArrayNode days = body.putArray("days");
                    usage.days().forEach(day -> days.add(AdminJson.usageDay(day)));
                    body.set("totals", totals(usage.days()));
                    return AdminResponse.json(200, body);
                }));
    }

    private CompletionStage<AdminResponse> ledger(AdminRequest request) {
        return tenants.ledger(request.param("id")).thenApply(result -> Outcomes.of(result, entries -> {
            ObjectNode body = AdminJson.object().put("tenant", request.param("id"));
            ArrayNode list = body.putArray("entries");
            for (LedgerEntry entry : entries) {
                list.add(AdminJson.ledgerEntry(entry));
            }
            return AdminResponse.json(200, body);
        }));
    }

    private AdminResponse tenant(io.quotagate.gateway.store.OpResult<TenantView> result) {
        return Outcomes.of(result, t -> AdminResponse.json(200, tenantJson(t, configs.get(), clock.instant())));
    }

    /** The SPEC §5 {@code tenant show --json} shape, plus name, created_at and each lot's dates and order. */
    static ObjectNode tenantJson(TenantView t, GatewayConfig config, Instant now) {
        ObjectNode body = AdminJson.object().put("id", t.id()).put("name", t.name()).put("status", status(t))
                .put("created_at", AdminJson.time(t.createdAt()));
        ObjectNode groups = body.putObject("groups");
        new TreeMap<>(t.groups()).forEach((name, g) -> {
            ObjectNode group = groups.putObject(name).put("mode", g.mode().wire())
                    .put("calls_remaining", TenantBalances.callsRemaining(g, now))
                    .put("qps_limit", TenantBalances.qpsLimit(config, t.id(), name, g, now));
            ArrayNode lots = group.putArray("lots");
            g.lots().forEach(lot -> lots.add(AdminJson.lot(lot)));
            ArrayNode purchases = group.putArray("qps_purchases");
            g.qpsPurchases().forEach(p -> purchases.add(AdminJson.purchase(p, now)));
            group.putObject("templates").put("quota", g.templates().quota()).put("used", g.templates().used());
        });
        return body;
    }

    /** Per group: the sums over the range, rejections by code. */
    private static ObjectNode totals(List<UsageDay> days) {
        ObjectNode totals = AdminJson.object();
        for (UsageDay day : days) {
            ObjectNode sum = totals.has(day.group()) ? (ObjectNode) totals.get(day.group())
                    : totals.putObject(day.group()).put("admitted", 0L).put("charged", 0L).put("charged_free", 0L)
                            .put("refunded", 0L).set("rejected", AdminJson.object());
            sum.put("admitted", sum.get("admitted").asLong() + day.admitted())
                    .put("charged", sum.get("charged").asLong() + day.charged())
                    .put("charged_free", sum.get("charged_free").asLong() + day.chargedFree())
                    .put("refunded", sum.get("refunded").asLong() + day.refunded());
            ObjectNode rejected = (ObjectNode) sum.get("rejected");
            new TreeMap<>(day.rejected()).forEach((code, n) ->
                    rejected.put(code, (rejected.has(code) ? rejected.get(code).asLong() : 0L) + n));
        }
        return totals;
    }

    private static String status(TenantView t) {
        return t.status().name().toLowerCase(Locale.ROOT);
    }
}
