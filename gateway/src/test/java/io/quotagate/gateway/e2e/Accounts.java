package io.quotagate.gateway.e2e;

import io.quotagate.gateway.admission.ApiKeys;
import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.store.Activation;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.KeyInfo;
import io.quotagate.gateway.store.LedgerEntry;
import io.quotagate.gateway.store.Lot;
import io.quotagate.gateway.store.OpResult;
import io.quotagate.gateway.store.TemplateQuota;
import io.quotagate.gateway.store.TenantOps;
import io.quotagate.gateway.store.TenantView;
import io.quotagate.gateway.store.UsageDay;
import io.quotagate.gateway.store.redis.RedisQuotaStore;
import io.quotagate.gateway.store.redis.RedissonClients;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The operator's side of an end-to-end test: creates tenants and reads balances straight from the Redis the
 * replicas share, through a {@link RedisQuotaStore} with its own Redisson client (not one of the replicas').
 * Everything is in the {@code portrait} group.
 */
final class Accounts implements AutoCloseable {

    static final String GROUP = "portrait";

    private final RedisQuotaStore store;

    Accounts(String redisUri) {
        this(new RedisConfig(redisUri, null, null, null, Duration.ofSeconds(3), 3));
    }

    /** Reaches the store at {@code redis} (a single server, a cluster or a sentinel set). */
    Accounts(RedisConfig redis) {
        this.store = new RedisQuotaStore(RedissonClients.create(redis), true);
    }

    /** Creates an active tenant whose group starts with {@code freeCalls} calls and {@code freeTemplates} slots; returns its key. */
    String create(String tenant, int freeCalls, int freeTemplates) {
        String key = ApiKeys.generate(tenant);
        Instant now = Instant.now();
        Activation activation = new Activation(freeCalls, Duration.ofDays(365).toMillis(), freeTemplates);
        ok(store.createTenant(new TenantOps.CreateTenant(tenant, tenant, Map.of(GROUP, activation),
                new KeyInfo("k1", ApiKeys.digest(key), now, null), now)));
        return key;
    }

    /** Adds a key with this id to an existing tenant; returns the key. */
    String addKey(String tenant, String keyId) {
        String key = ApiKeys.generate(tenant);
        ok(store.addKey(tenant, new KeyInfo(keyId, ApiKeys.digest(key), Instant.now(), null)));
        return key;
    }

    void revokeKey(String tenant, String keyId) {
        ok(store.revokeKey(tenant, keyId));
    }

    /** Calls left in the tenant's usable lots, as Redis holds them now. */
    long balance(String tenant) {
        Instant now = Instant.now();
        return group(tenant).lots().stream().filter(l -> l.usableAt(now)).mapToLong(Lot::remaining).sum();
    }

    /** The tenant's usage in the group, summed over yesterday and today (UTC): a run may cross midnight. */
    UsageDay usage(String tenant) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<UsageDay> days = ok(store.usage(tenant, GROUP, today.minusDays(1), today));
        return new UsageDay(GROUP, today, days.stream().mapToLong(UsageDay::admitted).sum(),
                days.stream().mapToLong(UsageDay::charged).sum(), days.stream().mapToLong(UsageDay::chargedFree).sum(),
                days.stream().mapToLong(UsageDay::refunded).sum(), Map.of());
    }

    /** The tenant's ledger, as the admin CLI's {@code ledger} reads it. */
    List<LedgerEntry> ledger(String tenant) {
        return ok(store.ledger(tenant));
    }

    TemplateQuota templates(String tenant) {
        return group(tenant).templates();
    }

    void suspend(String tenant) {
        ok(store.setStatus(tenant, TenantView.Status.SUSPENDED));
    }

    void mode(String tenant, BillingMode mode) {
        ok(store.setMode(tenant, GROUP, mode));
    }

    /** A QPS purchase active from now for a day. */
    void buyQps(String tenant, int qps) {
        Instant now = Instant.now();
        ok(store.buyQps(new TenantOps.BuyQps(tenant, GROUP, qps, now, now.plus(Duration.ofDays(1)), 300,
                "order-" + tenant + "-" + qps, new BigDecimal("220"), "CNY", now)));
    }

    private TenantView.GroupView group(String tenant) {
        return await(store.tenant(tenant)).orElseThrow(() -> new AssertionError("no tenant " + tenant))
                .groups().get(GROUP);
    }

    private static <T> T ok(CompletionStage<OpResult<T>> stage) {
        OpResult<T> result = await(stage);
        if (result instanceof OpResult.Ok<T> ok) {
            return ok.value();
        }
        throw new AssertionError("store refused: " + result);
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
