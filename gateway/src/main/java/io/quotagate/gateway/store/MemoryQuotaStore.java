package io.quotagate.gateway.store;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A {@link QuotaStore} for one node, in memory, not durable: the same rules as the Redis store (the shared
 * contract test proves it), timed by an injected clock. One lock makes every step atomic; stages complete before
 * they are returned.
 */
public final class MemoryQuotaStore implements QuotaStore {

    private final InstantSource clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, MemoryTenant> tenants = new TreeMap<>();
    private final MemoryAdmission admission;
    private final MemoryGrants grants;
    /** Replica id → time of its last heartbeat (ms). */
    private final Map<String, Long> replicas = new HashMap<>();
    /** Uncharged entries written: tenant, group and id. */
    private final Set<List<String>> unchargedWritten = new HashSet<>();

    public MemoryQuotaStore(InstantSource clock) {
        this.clock = clock;
        this.admission = new MemoryAdmission(tenants, new MemoryRequests());
        this.grants = new MemoryGrants(tenants);
    }

    @Override
    public CompletionStage<AdmitResult> admit(AdmitCommand command) {
        return locked(() -> admission.admit(command, nowMicros()));
    }

    /** One lock and one instant for the whole list, as one Redis call decides a batch. */
    @Override
    public CompletionStage<List<AdmitResult>> admitAll(List<AdmitCommand> commands) {
        return locked(() -> {
            long now = nowMicros();
            List<AdmitResult> results = new ArrayList<>(commands.size());
            for (AdmitCommand c : commands) {
                results.add(admission.admit(c, now));
            }
            return results;
        });
    }

    @Override
    public void forget(SettleCommand c) {
        lock.lock();
        try {
            admission.forget(c.tenantId(), c.requestId());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletionStage<Void> settle(SettleCommand c) {
        return locked(() -> {
            admission.finish(c.tenantId(), c.requestId(), false, c.refund(), c.upstream2xx(), now());
            return null;
        });
    }

    @Override
    public CompletionStage<Void> cancel(String tenantId, String group, String requestId) {
        return locked(() -> {
            admission.finish(tenantId, requestId, true, false, false, now());
            return null;
        });
    }

    @Override
    public CompletionStage<OpResult<TenantView>> createTenant(TenantOps.CreateTenant c) {
        return locked(() -> grants.createTenant(c));
    }

    @Override
    public CompletionStage<OpResult<TenantView>> setStatus(String tenantId, TenantView.Status status) {
        return locked(() -> grants.setStatus(tenantId, status, now()));
    }

    @Override
    public CompletionStage<OpResult<TenantView>> setMode(String tenantId, String group, BillingMode mode) {
        return locked(() -> grants.setMode(tenantId, group, mode, now()));
    }

    @Override
    public CompletionStage<OpResult<KeyInfo>> addKey(String tenantId, KeyInfo key) {
        return locked(() -> grants.addKey(tenantId, key, now()));
    }

    @Override
    public CompletionStage<OpResult<KeyInfo>> revokeKey(String tenantId, String keyId) {
        return locked(() -> grants.revokeKey(tenantId, keyId, now()));
    }

    @Override
    public CompletionStage<OpResult<List<KeyInfo>>> keys(String tenantId) {
        return locked(() -> {
            MemoryTenant t = tenants.get(tenantId);
            return t == null ? OpResult.refused(OpResult.Refusal.NOT_FOUND, "no such tenant")
                    : OpResult.ok(List.copyOf(t.keys.values()));
        });
    }

    @Override
    public CompletionStage<OpResult<Lot>> grantPack(TenantOps.GrantPack c) {
        return locked(() -> grants.grantPack(c, now()));
    }

    @Override
    public CompletionStage<OpResult<QpsPurchase>> buyQps(TenantOps.BuyQps c) {
        return locked(() -> grants.buyQps(c, now()));
    }

    @Override
    public CompletionStage<OpResult<TemplateQuota>> grantTemplates(TenantOps.GrantTemplates c) {
        return locked(() -> grants.grantTemplates(c));
    }

    @Override
    public CompletionStage<Optional<TenantView>> tenant(String tenantId) {
        return locked(() -> Optional.ofNullable(tenants.get(tenantId)).map(MemoryTenant::view));
    }

    @Override
    public CompletionStage<Optional<TenantSnapshot>> snapshot(String tenantId) {
        return locked(() -> Optional.ofNullable(tenants.get(tenantId))
                .map(t -> new TenantSnapshot(t.view(), List.copyOf(t.keys.values()))));
    }

    @Override
    public CompletionStage<List<String>> tenantIds() {
        return locked(() -> List.copyOf(tenants.keySet()));
    }

    @Override
    public CompletionStage<OpResult<List<LedgerEntry>>> ledger(String tenantId) {
        return locked(() -> {
            MemoryTenant t = tenants.get(tenantId);
            return t == null ? OpResult.refused(OpResult.Refusal.NOT_FOUND, "no such tenant")
                    : OpResult.ok(List.copyOf(t.ledger));
        });
    }

    @Override
    public CompletionStage<OpResult<Boolean>> recordUncharged(UnchargedEntry e) {
        Optional<String> invalid = e.invalid();
        if (invalid.isPresent()) {
            return CompletableFuture.completedFuture(OpResult.refused(OpResult.Refusal.INVALID, invalid.get()));
        }
        return locked(() -> {
            MemoryTenant t = tenants.get(e.tenantId());
            if (t == null) {
                return OpResult.refused(OpResult.Refusal.NOT_FOUND, "no such tenant");
            }
            if (!unchargedWritten.add(List.of(e.tenantId(), e.group(), e.id()))) {
                return OpResult.ok(false);
            }
            t.record(now(), UnchargedEntry.KIND, e.group(), null, e.detail());
            return OpResult.ok(true);
        });
    }

    @Override
    public CompletionStage<Integer> heartbeat(String replicaId, Duration ttl) {
        return locked(() -> {
            long now = clock.millis();
            replicas.put(replicaId, now);
            replicas.values().removeIf(at -> at <= now - ttl.toMillis());
            return replicas.size();
        });
    }

    @Override
    public CompletionStage<OpResult<List<UsageDay>>> usage(String tenantId, String group, LocalDate from, LocalDate to) {
        Optional<String> invalid = StoreRules.checkUsageRange(from, to);
        if (invalid.isPresent()) {
            return CompletableFuture.completedFuture(OpResult.refused(OpResult.Refusal.INVALID, invalid.get()));
        }
        return locked(() -> {
            MemoryTenant t = tenants.get(tenantId);
            if (t == null) {
                return OpResult.refused(OpResult.Refusal.NOT_FOUND, "no such tenant");
            }
            List<UsageDay> days = new ArrayList<>();
            new TreeMap<>(t.usage).forEach((g, byDay) -> {
                if (group == null || group.equals(g)) {
                    byDay.subMap(from.toEpochDay(), true, to.toEpochDay(), true)
                            .forEach((day, counters) -> days.add(UsageCounters.toDay(g, day, counters)));
                }
            });
            return OpResult.ok(days);
        });
    }

    /** Request records kept now (tests check that none outlives its request). */
    int requestRecords() {
        lock.lock();
        try {
            return admission.records();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        // Nothing to release: the state goes with the object.
    }

    private Instant now() {
        return Instant.ofEpochMilli(clock.millis());
    }

    private long nowMicros() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    private <T> CompletionStage<T> locked(Supplier<T> step) {
        lock.lock();
        try {
            return CompletableFuture.completedFuture(step.get());
        } finally {
            lock.unlock();
        }
    }
}
