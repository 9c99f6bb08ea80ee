package io.quotagate.gateway.store.redis;

import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.KeyInfo;
import io.quotagate.gateway.store.LedgerEntry;
import io.quotagate.gateway.store.Lot;
import io.quotagate.gateway.store.OpResult;
import io.quotagate.gateway.store.OpResult.Refusal;
import io.quotagate.gateway.store.QpsPurchase;
import io.quotagate.gateway.store.StoreRules;
import io.quotagate.gateway.store.TemplateQuota;
import io.quotagate.gateway.store.TenantOps;
import io.quotagate.gateway.store.TenantSnapshot;
import io.quotagate.gateway.store.TenantView;
import io.quotagate.gateway.store.UsageDay;
import io.quotagate.gateway.store.redis.RedisScripts.Script;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.redisson.api.RSet;

/**
 * Tenant operations on Redis. Each change is one script (atomic, idempotent by order id where it credits);
 * operations that return a whole {@link TenantView} read it with a second script afterwards.
 */
final class RedisTenantOps {

    private final RedisScripts scripts;
    private final RSet<String> tenantIds;

    RedisTenantOps(RedisScripts scripts, RSet<String> tenantIds) {
        this.scripts = scripts;
        this.tenantIds = tenantIds;
    }

    CompletionStage<OpResult<TenantView>> createTenant(TenantOps.CreateTenant c) {
        Optional<String> invalid = StoreRules.checkCreate(c);
        if (invalid.isPresent()) {
            return refused(Refusal.INVALID, invalid.get());
        }
        String t = c.tenantId();
        List<Object> args = new ArrayList<>(List.of(RedisKeys.prefix(t), t, c.name() == null ? "" : c.name(),
                StoreRules.fingerprint(c), c.now().toEpochMilli(), c.firstKey().keyId(), c.firstKey().digest(),
                c.groups().size()));
        new TreeMap<>(c.groups()).forEach((group, a) -> args.addAll(
                List.of(group, a.freeCalls(), a.freeValidityMillis(), a.freeTemplates())));
        return scripts.run(Script.CREATE_TENANT, List.of(RedisKeys.tenant(t), RedisKeys.digests(t), RedisKeys.keyRecords(t)),
                RedisScripts.args(args.toArray())).thenCompose(reply -> {
                    if ("conflict".equals(reply.get(0))) {
                        return refused(Refusal.CONFLICT, "tenant " + t + " exists");
                    }
                    // Outside the script because the set is global (another hash slot); a replayed create adds it again.
                    return tenantIds.addAsync(t).thenCompose(added -> view(t));
                });
    }

    CompletionStage<OpResult<TenantView>> setStatus(String tenantId, TenantView.Status status) {
        return admin(tenantId, "status", status.name().toLowerCase(Locale.ROOT))
                .thenCompose(r -> r instanceof OpResult.Refused<List<Object>> no ? refused(no) : view(tenantId));
    }

    CompletionStage<OpResult<TenantView>> setMode(String tenantId, String group, BillingMode mode) {
        if (!StoreRules.validGroup(group)) {
            return refused(Refusal.INVALID, "bad group " + group);
        }
        return admin(tenantId, "mode", group, mode.wire())
                .thenCompose(r -> r instanceof OpResult.Refused<List<Object>> no ? refused(no) : view(tenantId));
    }

    CompletionStage<OpResult<KeyInfo>> addKey(String tenantId, KeyInfo key) {
        Optional<String> invalid = StoreRules.checkKey(key);
        if (invalid.isPresent()) {
            return refused(Refusal.INVALID, invalid.get());
        }
        return admin(tenantId, "add_key", key.keyId(), key.digest())
                .thenApply(r -> map(r, reply -> keyInfo(key.keyId(), reply)));
    }

    CompletionStage<OpResult<KeyInfo>> revokeKey(String tenantId, String keyId) {
        return admin(tenantId, "revoke", keyId).thenApply(r -> map(r, reply -> keyInfo(keyId, reply)));
    }

    CompletionStage<OpResult<List<KeyInfo>>> keys(String tenantId) {
        return snapshot(tenantId).thenApply(s -> s == null ? OpResult.refused(Refusal.NOT_FOUND, "no such tenant")
                : OpResult.ok(s.keys()));
    }

    CompletionStage<OpResult<Lot>> grantPack(TenantOps.GrantPack c) {
        return grant(c.tenantId(), StoreRules.checkPack(c), RedisRecords::grantedLot, "pack", c.group(),
                StoreRules.fingerprint(c), c.orderId(), c.price(), c.currency(), c.grantedAt(),
                c.calls(), c.grantedAt().toEpochMilli(), c.expiresAt().toEpochMilli());
    }

    CompletionStage<OpResult<QpsPurchase>> buyQps(TenantOps.BuyQps c) {
        return grant(c.tenantId(), StoreRules.checkQps(c), line -> RedisRecords.purchase(RedisRecords.fields(line), 0),
                "qps", c.group(), StoreRules.fingerprint(c), c.orderId(), c.price(), c.currency(), c.now(),
                c.qps(), c.startsAt().toEpochMilli(), c.endsAt().toEpochMilli(), c.maxQps());
    }

    CompletionStage<OpResult<TemplateQuota>> grantTemplates(TenantOps.GrantTemplates c) {
        return grant(c.tenantId(), StoreRules.checkTemplates(c), RedisRecords::templates, "templates", c.group(),
                StoreRules.fingerprint(c), c.orderId(), c.price(), c.currency(), c.now(), c.slots());
    }

    CompletionStage<Optional<TenantView>> tenant(String tenantId) {
        return snapshot(tenantId).thenApply(s -> Optional.ofNullable(s).map(RedisRecords.Snapshot::view));
    }

    CompletionStage<Optional<TenantSnapshot>> snapshotOf(String tenantId) {
        return snapshot(tenantId).thenApply(s -> Optional.ofNullable(s).map(r -> new TenantSnapshot(r.view(), r.keys())));
    }

    CompletionStage<List<String>> tenantIds() {
        return tenantIds.readAllAsync().thenApply(ids -> ids.stream().sorted().toList());
    }

    CompletionStage<OpResult<List<LedgerEntry>>> ledger(String tenantId) {
        if (!StoreRules.validTenantId(tenantId)) {
            return refused(Refusal.NOT_FOUND, "no such tenant");
        }
        return scripts.run(Script.READ_LEDGER, List.of(RedisKeys.tenant(tenantId), RedisKeys.ledger(tenantId)))
                .thenApply(r -> "OK".equals(r.get(0))
                        ? OpResult.ok(r.subList(1, r.size()).stream().map(RedisRecords::ledger).toList())
                        : OpResult.refused(Refusal.NOT_FOUND, "no such tenant"));
    }

    CompletionStage<OpResult<List<UsageDay>>> usage(String tenantId, String group, LocalDate from, LocalDate to) {
        Optional<String> invalid = StoreRules.checkUsageRange(from, to);
        if (invalid.isPresent()) {
            return refused(Refusal.INVALID, invalid.get());
        }
        if (!StoreRules.validTenantId(tenantId) || (group != null && !StoreRules.validGroup(group))) {
            return refused(Refusal.NOT_FOUND, "no such tenant or group");
        }
        return scripts.run(Script.READ_USAGE, List.of(RedisKeys.tenant(tenantId)), RedisScripts.args(
                RedisKeys.prefix(tenantId), group == null ? "" : group, from.toEpochDay(), to.toEpochDay()))
                .thenApply(r -> "OK".equals(r.get(0))
                        ? OpResult.ok(r.subList(1, r.size()).stream().map(RedisRecords::usage)
                                .sorted((a, b) -> a.group().equals(b.group()) ? a.date().compareTo(b.date())
                                        : a.group().compareTo(b.group())).toList())
                        : OpResult.refused(Refusal.NOT_FOUND, "no such tenant"));
    }

    private <T> CompletionStage<OpResult<T>> grant(String tenantId, Optional<String> invalid, Function<String, T> parse,
                                                   String kind, String group, String fingerprint, String orderId,
                                                   BigDecimal price, String currency, Instant at, Object... amounts) {
        if (invalid.isPresent()) {
            return refused(Refusal.INVALID, invalid.get());
        }
        if (!StoreRules.validTenantId(tenantId)) {
            return refused(Refusal.NOT_FOUND, "no such tenant");
        }
        List<Object> args = new ArrayList<>(List.of(RedisKeys.prefix(tenantId), kind, group, fingerprint, orderId,
                price == null ? "" : price.toPlainString(), currency == null ? "" : currency, at.toEpochMilli()));
        args.addAll(List.of(amounts));
        return scripts.run(Script.GRANT, List.of(RedisKeys.tenant(tenantId), RedisKeys.order(tenantId, orderId)),
                RedisScripts.args(args.toArray())).thenApply(r -> map(outcome(r), reply -> parse.apply(String.valueOf(reply.get(1)))));
    }

    private CompletionStage<OpResult<List<Object>>> admin(String tenantId, Object... opArgs) {
        if (!StoreRules.validTenantId(tenantId)) {
            return refused(Refusal.NOT_FOUND, "no such tenant");
        }
        List<Object> args = new ArrayList<>(List.of(RedisKeys.prefix(tenantId)));
        args.addAll(List.of(opArgs));
        return scripts.run(Script.TENANT_ADMIN, List.of(RedisKeys.tenant(tenantId), RedisKeys.digests(tenantId),
                RedisKeys.keyRecords(tenantId)), RedisScripts.args(args.toArray())).thenApply(RedisTenantOps::outcome);
    }

    private CompletionStage<RedisRecords.Snapshot> snapshot(String tenantId) {
        if (!StoreRules.validTenantId(tenantId)) {
            return CompletableFuture.completedFuture(null);
        }
        return scripts.run(Script.READ_TENANT, List.of(RedisKeys.tenant(tenantId), RedisKeys.keyRecords(tenantId)),
                RedisScripts.args(RedisKeys.prefix(tenantId))).thenApply(RedisRecords::snapshot);
    }

    private CompletionStage<OpResult<TenantView>> view(String tenantId) {
        return tenant(tenantId).thenApply(v -> v.<OpResult<TenantView>>map(OpResult::ok)
                .orElseGet(() -> OpResult.refused(Refusal.NOT_FOUND, "no such tenant")));
    }

    /** {'OK', ...} or {'NOT_FOUND'|'CONFLICT'|'INVALID', message}. */
    private static OpResult<List<Object>> outcome(List<Object> reply) {
        String status = String.valueOf(reply.get(0));
        return "OK".equals(status) ? OpResult.ok(reply)
                : OpResult.refused(Refusal.valueOf(status), reply.size() > 1 ? String.valueOf(reply.get(1)) : status);
    }

    private static <T> OpResult<T> map(OpResult<List<Object>> r, Function<List<Object>, T> f) {
        if (r instanceof OpResult.Ok<List<Object>> ok) {
            return OpResult.ok(f.apply(ok.value()));
        }
        OpResult.Refused<List<Object>> no = (OpResult.Refused<List<Object>>) r;
        return OpResult.refused(no.refusal(), no.message());
    }

    private static KeyInfo keyInfo(String keyId, List<Object> reply) {
        String[] f = RedisRecords.fields(reply.get(1));
        return RedisRecords.key(new String[] {keyId, f[0], f[1], f[2]}, 0);
    }

    private static <T> CompletionStage<OpResult<T>> refused(Refusal refusal, String message) {
        return CompletableFuture.completedFuture(OpResult.refused(refusal, message));
    }

    private static <T> CompletionStage<OpResult<T>> refused(OpResult.Refused<?> no) {
        return refused(no.refusal(), no.message());
    }
}
