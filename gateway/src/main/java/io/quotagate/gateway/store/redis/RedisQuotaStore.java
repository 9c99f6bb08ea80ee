package io.quotagate.gateway.store.redis;

import io.quotagate.gateway.store.AdmitCommand;
import io.quotagate.gateway.store.AdmitResult;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.KeyInfo;
import io.quotagate.gateway.store.LedgerEntry;
import io.quotagate.gateway.store.Lot;
import io.quotagate.gateway.store.OpResult;
import io.quotagate.gateway.store.QpsPurchase;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.SettleCommand;
import io.quotagate.gateway.store.StoreUnavailableException;
import io.quotagate.gateway.store.TemplateQuota;
import io.quotagate.gateway.store.TenantOps;
import io.quotagate.gateway.store.TenantSnapshot;
import io.quotagate.gateway.store.TenantView;
import io.quotagate.gateway.store.UnchargedEntry;
import io.quotagate.gateway.store.UsageDay;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.listener.BaseStatusListener;
import org.redisson.client.codec.StringCodec;

/**
 * The production {@link QuotaStore}: every balance, window, key and ledger line lives in Redis, shared by all
 * replicas and timed by the Redis server's clock. Admission is one Lua script call per batch of requests of one
 * tenant and group ({@link #admitAll}); tenant operations
 * are one script each where they change balances. Key layout: {@link RedisKeys}; scripts: {@code lua/*.lua}.
 *
 * <p>Every returned stage completes on a Redisson (or the shared Netty) thread, and exceptionally only with a
 * {@link StoreUnavailableException}.
 */
public final class RedisQuotaStore implements QuotaStore {

    private final RedissonClient redisson;
    private final boolean ownsClient;
    private final RedisAdmission admission;
    private final RedisTenantOps tenants;
    private final RedisFailOpen failOpen;

    /**
     * @param ownsClient whether {@link #close()} shuts the client down (false when the caller shares it)
     */
    public RedisQuotaStore(RedissonClient redisson, boolean ownsClient) {
        this.redisson = redisson;
        this.ownsClient = ownsClient;
        RedisScripts scripts = new RedisScripts(redisson);
        this.admission = new RedisAdmission(scripts);
        this.tenants = new RedisTenantOps(scripts, redisson.getSet(RedisKeys.TENANTS, StringCodec.INSTANCE));
        this.failOpen = new RedisFailOpen(scripts);
    }

    @Override
    public CompletionStage<AdmitResult> admit(AdmitCommand command) {
        return guarded(() -> admission.admit(command));
    }

    @Override
    public CompletionStage<List<AdmitResult>> admitAll(List<AdmitCommand> commands) {
        return guarded(() -> admission.admitAll(commands));
    }

    @Override
    public CompletionStage<Void> settle(SettleCommand command) {
        return guarded(() -> admission.settle(command));
    }

    @Override
    public CompletionStage<Void> cancel(String tenantId, String group, String requestId) {
        return cancel(tenantId, group, requestId, null);
    }

    @Override
    public CompletionStage<Void> cancel(String tenantId, String group, String requestId, String receipt) {
        return guarded(() -> admission.cancel(tenantId, requestId, receipt));
    }

    @Override
    public CompletionStage<OpResult<TenantView>> createTenant(TenantOps.CreateTenant command) {
        return guarded(() -> tenants.createTenant(command));
    }

    @Override
    public CompletionStage<OpResult<TenantView>> setStatus(String tenantId, TenantView.Status status) {
        return guarded(() -> tenants.setStatus(tenantId, status));
    }

    @Override
    public CompletionStage<OpResult<TenantView>> setMode(String tenantId, String group, BillingMode mode) {
        return guarded(() -> tenants.setMode(tenantId, group, mode));
    }

    @Override
    public CompletionStage<OpResult<KeyInfo>> addKey(String tenantId, KeyInfo key) {
        return guarded(() -> tenants.addKey(tenantId, key));
    }

    @Override
    public CompletionStage<OpResult<KeyInfo>> revokeKey(String tenantId, String keyId) {
        return guarded(() -> tenants.revokeKey(tenantId, keyId));
    }

    @Override
    public CompletionStage<OpResult<List<KeyInfo>>> keys(String tenantId) {
        return guarded(() -> tenants.keys(tenantId));
    }

    @Override
    public CompletionStage<OpResult<Lot>> grantPack(TenantOps.GrantPack command) {
        return guarded(() -> tenants.grantPack(command));
    }

    @Override
    public CompletionStage<OpResult<QpsPurchase>> buyQps(TenantOps.BuyQps command) {
        return guarded(() -> tenants.buyQps(command));
    }

    @Override
    public CompletionStage<OpResult<TemplateQuota>> grantTemplates(TenantOps.GrantTemplates command) {
        return guarded(() -> tenants.grantTemplates(command));
    }

    @Override
    public CompletionStage<Optional<TenantView>> tenant(String tenantId) {
        return guarded(() -> tenants.tenant(tenantId));
    }

    @Override
    public CompletionStage<Optional<TenantSnapshot>> snapshot(String tenantId) {
        return guarded(() -> tenants.snapshotOf(tenantId));
    }

    @Override
    public CompletionStage<List<String>> tenantIds() {
        return guarded(tenants::tenantIds);
    }

    @Override
    public CompletionStage<OpResult<List<LedgerEntry>>> ledger(String tenantId) {
        return guarded(() -> tenants.ledger(tenantId));
    }

    @Override
    public CompletionStage<OpResult<Boolean>> recordUncharged(UnchargedEntry entry) {
        return guarded(() -> failOpen.recordUncharged(entry));
    }

    @Override
    public CompletionStage<Integer> heartbeat(String replicaId, Duration ttl) {
        return guarded(() -> failOpen.heartbeat(replicaId, ttl));
    }

    @Override
    public CompletionStage<OpResult<List<UsageDay>>> usage(String tenantId, String group, LocalDate from, LocalDate to) {
        return guarded(() -> tenants.usage(tenantId, group, from, to));
    }

    /**
     * The scripts that can turn a denial into an admission publish the tenant on {@link RedisKeys#CHANGED_CHANNEL};
     * this listens on it. A (re)subscription or an unsubscription reports null: messages may have been missed.
     */
    @Override
    public boolean subscribeToChanges(Consumer<String> listener) {
        RTopic topic = redisson.getTopic(RedisKeys.CHANGED_CHANNEL, StringCodec.INSTANCE);
        topic.addListenerAsync(new BaseStatusListener() {
            @Override
            public void onSubscribe(String channel) {
                listener.accept(null);
            }

            @Override
            public void onUnsubscribe(String channel) {
                listener.accept(null);
            }
        });
        topic.addListenerAsync(String.class, (channel, prefix) -> {
            String tenant = RedisKeys.tenantOfPrefix(prefix);
            if (tenant != null) {
                listener.accept(tenant);
            }
        });
        return true;
    }

    @Override
    public void close() {
        if (ownsClient) {
            redisson.shutdown();
        }
    }

    /**
     * Keeps the interface's promise: whatever goes wrong (Redisson's timeout or connection exceptions, a reply
     * that does not parse, an exception thrown before the call) surfaces as {@link StoreUnavailableException}.
     */
    private static <T> CompletionStage<T> guarded(Supplier<CompletionStage<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            result.completeExceptionally(cause instanceof StoreUnavailableException ? cause
                    : new StoreUnavailableException("Redis store failed: " + cause, cause));
        });
        return result;
    }
}
