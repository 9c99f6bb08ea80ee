package io.quotagate.gateway.store;

import io.quotagate.gateway.store.OpResult.Refusal;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Tenant operations of {@link MemoryQuotaStore}, with the checks, idempotency by order id (rule 10) and ledger
 * lines of {@code lua/create_tenant.lua}, {@code lua/tenant_admin.lua} and {@code lua/grant.lua}.
 * Not thread-safe: the store calls it under its lock.
 */
final class MemoryGrants {

    private final Map<String, MemoryTenant> tenants;

    MemoryGrants(Map<String, MemoryTenant> tenants) {
        this.tenants = tenants;
    }

    OpResult<TenantView> createTenant(TenantOps.CreateTenant c) {
        Optional<String> invalid = StoreRules.checkCreate(c);
        if (invalid.isPresent()) {
            return OpResult.refused(Refusal.INVALID, invalid.get());
        }
        String fingerprint = StoreRules.fingerprint(c);
        MemoryTenant existing = tenants.get(c.tenantId());
        if (existing != null) {
            return existing.fingerprint.equals(fingerprint) ? OpResult.ok(existing.view())
                    : OpResult.refused(Refusal.CONFLICT, "tenant " + c.tenantId() + " exists");
        }
        Instant now = Instant.ofEpochMilli(c.now().toEpochMilli());
        MemoryTenant t = new MemoryTenant(c.tenantId(), MemoryTenant.blankToNull(c.name()), now, fingerprint);
        tenants.put(t.id, t);
        t.record(now, "tenant_created", null, null, c.name());
        KeyInfo key = new KeyInfo(c.firstKey().keyId(), c.firstKey().digest(), now, null);
        t.keys.put(key.keyId(), key);
        t.keyIdByDigest.put(key.digest(), key.keyId());
        t.record(now, "key_created", null, null, key.keyId());
        new TreeMap<>(c.groups()).forEach((group, activation) -> t.activate(group, activation, now));
        return OpResult.ok(t.view());
    }

    OpResult<TenantView> setStatus(String tenantId, TenantView.Status status, Instant now) {
        return withTenant(tenantId, t -> {
            if (t.status != status) {
                t.status = status;
                t.record(now, status == TenantView.Status.SUSPENDED ? "suspended" : "resumed", null, null, "");
            }
            return OpResult.ok(t.view());
        });
    }

    OpResult<TenantView> setMode(String tenantId, String group, BillingMode mode, Instant now) {
        if (!StoreRules.validGroup(group)) {
            return OpResult.refused(Refusal.INVALID, "bad group " + group);
        }
        return withTenant(tenantId, t -> {
            MemoryGroup g = t.group(group);
            if (g.mode != mode) {
                g.mode = mode;
                t.record(now, "mode_set", group, null, mode.wire());
            }
            return OpResult.ok(t.view());
        });
    }

    OpResult<KeyInfo> addKey(String tenantId, KeyInfo key, Instant now) {
        Optional<String> invalid = StoreRules.checkKey(key);
        if (invalid.isPresent()) {
            return OpResult.refused(Refusal.INVALID, invalid.get());
        }
        return withTenant(tenantId, t -> {
            KeyInfo existing = t.keys.get(key.keyId());
            if (existing != null) {
                return existing.digest().equals(key.digest()) ? OpResult.ok(existing)
                        : OpResult.refused(Refusal.CONFLICT, "key id " + key.keyId() + " exists");
            }
            if (t.keyIdByDigest.containsKey(key.digest())) {
                return OpResult.refused(Refusal.CONFLICT, "key exists");
            }
            KeyInfo stored = new KeyInfo(key.keyId(), key.digest(), now, null);
            t.keys.put(stored.keyId(), stored);
            t.keyIdByDigest.put(stored.digest(), stored.keyId());
            t.record(now, "key_created", null, null, stored.keyId());
            return OpResult.ok(stored);
        });
    }

    OpResult<KeyInfo> revokeKey(String tenantId, String keyId, Instant now) {
        return withTenant(tenantId, t -> {
            KeyInfo existing = t.keys.get(keyId);
            if (existing == null) {
                return OpResult.refused(Refusal.NOT_FOUND, "no such key");
            }
            if (!existing.active()) {
                return OpResult.ok(existing);
            }
            KeyInfo revoked = new KeyInfo(keyId, existing.digest(), existing.createdAt(), now);
            t.keys.put(keyId, revoked);
            t.keyIdByDigest.remove(existing.digest());
            t.record(now, "key_revoked", null, null, keyId);
            return OpResult.ok(revoked);
        });
    }

    OpResult<Lot> grantPack(TenantOps.GrantPack c, Instant now) {
        Instant granted = Instant.ofEpochMilli(c.grantedAt().toEpochMilli());
        Instant expires = Instant.ofEpochMilli(c.expiresAt().toEpochMilli());
        return order(c.tenantId(), c.orderId(), StoreRules.checkPack(c), StoreRules.fingerprint(c), t -> {
            MemoryGroup.MemoryLot lot = new MemoryGroup.MemoryLot(t.nextId('L'), Lot.Source.PAID, c.calls(), granted,
                    expires, c.orderId());
            t.group(c.group()).lots.add(lot);
            t.ledger.add(new LedgerEntry(granted, "pack_granted", c.group(), c.orderId(),
                    "calls=" + c.calls() + " lot=" + lot.id + " expires=" + expires.toEpochMilli(), c.price(), c.currency()));
            return lot.view();
        });
    }

    OpResult<QpsPurchase> buyQps(TenantOps.BuyQps c, Instant now) {
        Optional<String> invalid = StoreRules.checkQps(c);
        MemoryTenant tenant = tenants.get(c.tenantId());
        if (invalid.isEmpty() && tenant != null && !tenant.orders.containsKey(c.orderId())) {
            Instant start = Instant.ofEpochMilli(c.startsAt().toEpochMilli());
            Instant end = Instant.ofEpochMilli(c.endsAt().toEpochMilli());
            MemoryGroup g = tenant.groups.get(c.group());
            int peak = g == null ? c.qps() : g.peakWith(c.qps(), start, end);
            if (peak > c.maxQps()) {
                return OpResult.refused(Refusal.INVALID, "active QPS would reach " + peak + " (max_qps " + c.maxQps() + ")");
            }
        }
        return order(c.tenantId(), c.orderId(), invalid, StoreRules.fingerprint(c), t -> {
            QpsPurchase p = new QpsPurchase(t.nextId('Q'), c.qps(), Instant.ofEpochMilli(c.startsAt().toEpochMilli()),
                    Instant.ofEpochMilli(c.endsAt().toEpochMilli()), c.orderId());
            t.group(c.group()).purchases.add(p);
            t.ledger.add(new LedgerEntry(Instant.ofEpochMilli(c.now().toEpochMilli()), "qps_bought", c.group(), c.orderId(),
                    "qps=" + c.qps() + " from=" + p.startsAt().toEpochMilli() + " to=" + p.endsAt().toEpochMilli(),
                    c.price(), c.currency()));
            return p;
        });
    }

    OpResult<TemplateQuota> grantTemplates(TenantOps.GrantTemplates c) {
        return order(c.tenantId(), c.orderId(), StoreRules.checkTemplates(c), StoreRules.fingerprint(c), t -> {
            MemoryGroup g = t.group(c.group());
            g.templateQuota += c.slots();
            t.ledger.add(new LedgerEntry(Instant.ofEpochMilli(c.now().toEpochMilli()), "templates_granted", c.group(),
                    c.orderId(), "slots=" + c.slots(), c.price(), c.currency()));
            return new TemplateQuota(g.templateQuota, g.templatesUsed);
        });
    }

    /** Rule 10: the first result for a repeated order, a conflict for a reused order id, else the grant. */
    @SuppressWarnings("unchecked")
    private <T> OpResult<T> order(String tenantId, String orderId, Optional<String> invalid, String fingerprint,
                                  Function<MemoryTenant, T> grant) {
        if (invalid.isPresent()) {
            return OpResult.refused(Refusal.INVALID, invalid.get());
        }
        return withTenant(tenantId, t -> {
            MemoryTenant.Order prior = t.orders.get(orderId);
            if (prior != null) {
                return prior.fingerprint().equals(fingerprint) ? OpResult.ok((T) prior.result())
                        : OpResult.refused(Refusal.CONFLICT, "order " + orderId + " was used for another grant");
            }
            T result = grant.apply(t);
            t.orders.put(orderId, new MemoryTenant.Order(fingerprint, result));
            return OpResult.ok(result);
        });
    }

    private <T> OpResult<T> withTenant(String tenantId, Function<MemoryTenant, OpResult<T>> op) {
        MemoryTenant t = tenants.get(tenantId);
        return t == null ? OpResult.refused(Refusal.NOT_FOUND, "no such tenant") : op.apply(t);
    }
}
