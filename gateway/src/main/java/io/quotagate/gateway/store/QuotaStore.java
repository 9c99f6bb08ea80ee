package io.quotagate.gateway.store;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Where balances, windows, keys and the ledger live. Every method is one atomic step in the store;
 * implementations: {@code MemoryQuotaStore} (one node, not durable) and {@code RedisQuotaStore}.
 *
 * <p>Expected outcomes (a denial, a refused grant) are values. A returned stage completes exceptionally
 * only with {@link StoreUnavailableException}: the store could not be reached or did not answer in time,
 * and nothing is known about whether the step applied. Every step is idempotent by its id
 * ({@code requestId} or {@code orderId}), so repeating it after such a failure is safe.
 *
 * <p>No method blocks the calling thread.
 */
public interface QuotaStore extends AutoCloseable {

    /** Rules 1–8: the key, the tenant, the QPS window, the charge and the template slot, decided at once. */
    CompletionStage<AdmitResult> admit(AdmitCommand command);

    /**
     * Admits several requests, with results in list order. Requests of one tenant and group are decided in list
     * order as if admitted one after another at one instant, in one atomic step (one round trip on Redis): this is
     * how a replica amortises a store call over the requests that arrived together. Fails as a whole with
     * {@link StoreUnavailableException} (nothing known about any of them). The default admits one at a time.
     */
    default CompletionStage<List<AdmitResult>> admitAll(List<AdmitCommand> commands) {
        List<CompletableFuture<AdmitResult>> each = commands.stream().map(c -> admit(c).toCompletableFuture()).toList();
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApply(done -> each.stream().map(CompletableFuture::join).toList());
    }

    /** Rules 7 and 9, after the upstream answered (or failed): refund and template slot, at most once per request. */
    CompletionStage<Void> settle(SettleCommand command);

    /**
     * An admitted request ended with nothing to settle ({@link SettleCommand#changesNothing()}, the common end of a
     * charged call): the store may drop what it kept for it now instead of at the end of its retention. Never a
     * round trip and never required: Redis lets the record expire; the memory store frees it, so that no
     * per-request object outlives its request. A request forgotten is never settled or cancelled afterwards.
     */
    default void forget(SettleCommand command) {
    }

    /**
     * Voids an admit whose outcome the caller never learnt (the store timed out, the request was answered 503 or
     * forwarded uncharged). If the admit applied, its charge is refunded and its template slot released; if it has
     * not arrived yet (a resent script still in flight), a tombstone makes sure it never applies. Idempotent, and
     * idempotent together with {@link #settle}: a request is refunded at most once.
     */
    CompletionStage<Void> cancel(String tenantId, String group, String requestId);

    /**
     * {@link #cancel(String, String, String)} with the receipt the admit's result or failure carried
     * ({@link StoreUnavailableException#receiptOf}); a store that needs none ignores it.
     */
    default CompletionStage<Void> cancel(String tenantId, String group, String requestId, String receipt) {
        return cancel(tenantId, group, requestId);
    }

    /**
     * Tells {@code listener}, on any thread, the id of each tenant for which something changed, on any replica, that
     * can turn a denial into an admission: calls granted or refunded, QPS bought, billing mode, status or keys
     * changed; or null when changes may have been missed (a (re)subscription), meaning "any tenant". Returns false
     * when this store cannot tell (then nobody may keep denials). The memory store has one replica and answers at
     * once, so it does not tell.
     */
    default boolean subscribeToChanges(Consumer<String> listener) {
        return false;
    }

    // ---- tenant operations (the admin API exposes them) ----

    /** Creates the tenant, activates every given group (rule 1, once per tenant id ever) and its first key. */
    CompletionStage<OpResult<TenantView>> createTenant(TenantOps.CreateTenant command);

    CompletionStage<OpResult<TenantView>> setStatus(String tenantId, TenantView.Status status);

    CompletionStage<OpResult<TenantView>> setMode(String tenantId, String group, BillingMode mode);

    /** Adds a key (digest only) to an existing tenant. */
    CompletionStage<OpResult<KeyInfo>> addKey(String tenantId, KeyInfo key);

    CompletionStage<OpResult<KeyInfo>> revokeKey(String tenantId, String keyId);

    CompletionStage<OpResult<List<KeyInfo>>> keys(String tenantId);

    /** Rule 10: the same {@code orderId} with the same body returns the first result; with another body, a conflict. */
    CompletionStage<OpResult<Lot>> grantPack(TenantOps.GrantPack command);

    CompletionStage<OpResult<QpsPurchase>> buyQps(TenantOps.BuyQps command);

    CompletionStage<OpResult<TemplateQuota>> grantTemplates(TenantOps.GrantTemplates command);

    CompletionStage<Optional<TenantView>> tenant(String tenantId);

    /** The tenant with its keys in one read (one script on Redis); empty for an unknown tenant. Writes nothing. */
    CompletionStage<Optional<TenantSnapshot>> snapshot(String tenantId);

    CompletionStage<List<String>> tenantIds();

    CompletionStage<OpResult<List<LedgerEntry>>> ledger(String tenantId);

    /**
     * Writes {@code entry} to its tenant's ledger (kind {@link UnchargedEntry#KIND}, at the store's time), once: a
     * repeat of its id for the same tenant and group writes nothing and answers OK with {@code false} ({@code true}
     * when written now). NOT_FOUND for an unknown tenant, INVALID for an entry {@link UnchargedEntry#invalid()}
     * refuses. How the requests it counts were forwarded: {@code on_error: allow} (docs/reliability.md).
     */
    CompletionStage<OpResult<Boolean>> recordUncharged(UnchargedEntry entry);

    /**
     * Marks replica {@code replicaId} live now, by the store's clock, and answers how many replicas did so within the
     * last {@code ttl}, this one included: each replica's share of a QPS limit while the store is unreachable. Ids
     * not renewed within {@code ttl} are dropped. One small step, called every few seconds, never per request.
     */
    CompletionStage<Integer> heartbeat(String replicaId, Duration ttl);

    /** Daily usage of one tenant, for one group or all (group null), days {@code from}..{@code to} inclusive (UTC). */
    CompletionStage<OpResult<List<UsageDay>>> usage(String tenantId, String group, LocalDate from, LocalDate to);

    @Override
    void close();
}
