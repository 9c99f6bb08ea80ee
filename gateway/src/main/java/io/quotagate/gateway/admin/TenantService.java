package io.quotagate.gateway.admin;

import io.quotagate.gateway.admission.ApiKeys;
import io.quotagate.gateway.config.Defaults;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.events.BillingEvents;
import io.quotagate.gateway.store.Activation;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.KeyInfo;
import io.quotagate.gateway.store.LedgerEntry;
import io.quotagate.gateway.store.OpResult;
import io.quotagate.gateway.store.OpResult.Refusal;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.TenantOps;
import io.quotagate.gateway.store.TenantView;
import io.quotagate.gateway.store.UsageDay;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Tenant operations of the admin API: accounts, keys, billing mode, usage and ledger. Decides what the store is
 * asked (activation from the config in force, generated keys, default usage range) and refuses unknown groups.
 */
public final class TenantService {

    /** Usage with no range covers the last 30 UTC days, today included. */
    static final int DEFAULT_USAGE_DAYS = 30;
    /** SPEC §1. */
    static final Pattern TENANT_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new tenant with its first key, shown once. */
    public record Created(TenantView tenant, String keyId, String apiKey) {
    }

    /** A new key, shown once. */
    public record NewKey(KeyInfo key, String apiKey) {
    }

    /** Usage of one tenant over a range of days. */
    public record Usage(String tenantId, LocalDate from, LocalDate to, List<UsageDay> days) {
    }

    private final QuotaStore store;
    private final Supplier<GatewayConfig> configs;
    private final InstantSource clock;
    private final BillingEvents events;

    public TenantService(QuotaStore store, Supplier<GatewayConfig> configs, InstantSource clock) {
        this(store, configs, clock, null);
    }

    /** @param events told about new tenants and status changes; null for none */
    public TenantService(QuotaStore store, Supplier<GatewayConfig> configs, InstantSource clock, BillingEvents events) {
        this.store = store;
        this.configs = configs;
        this.clock = clock;
        this.events = events;
    }

    /** Rule 1: every configured group is activated, with the defaults in force now. */
    public CompletionStage<OpResult<Created>> create(String tenantId, String name) {
        if (!TENANT_ID.matcher(tenantId).matches()) {
            return done(OpResult.refused(Refusal.INVALID,
                    "tenant id " + tenantId + " does not match " + TENANT_ID.pattern()));
        }
        Instant now = clock.instant();
        Defaults defaults = configs.get().defaults();
        long freeValidity = defaults.freePackValidity().addTo(now).toEpochMilli() - now.toEpochMilli();
        Activation activation = new Activation(defaults.freeCalls(), freeValidity, defaults.freeTemplates());
        Map<String, Activation> groups = new LinkedHashMap<>();
        configs.get().groups().keySet().forEach(group -> groups.put(group, activation));
        String apiKey = ApiKeys.generate(tenantId);
        KeyInfo key = new KeyInfo(newKeyId(), ApiKeys.digest(apiKey), now, null);
        return store.createTenant(new TenantOps.CreateTenant(tenantId, name, groups, key, now))
                .thenApply(result -> notify(result, events == null ? null : events::tenantCreated))
                .thenApply(result -> map(result, tenant -> new Created(tenant, key.keyId(), apiKey)));
    }

    /** Every tenant, by id. */
    public CompletionStage<List<TenantView>> list() {
        return store.tenantIds().thenCompose(ids -> {
            List<CompletableFuture<Optional<TenantView>>> reads = ids.stream()
                    .map(id -> store.tenant(id).toCompletableFuture()).toList();
            return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> reads.stream()
                    .map(CompletableFuture::join).flatMap(Optional::stream).toList());
        });
    }

    public CompletionStage<OpResult<TenantView>> show(String tenantId) {
        return store.tenant(tenantId).thenApply(found -> found.<OpResult<TenantView>>map(OpResult::ok)
                .orElseGet(() -> OpResult.refused(Refusal.NOT_FOUND, "no tenant " + tenantId)));
    }

    public CompletionStage<OpResult<TenantView>> setStatus(String tenantId, TenantView.Status status) {
        return store.setStatus(tenantId, status)
                .thenApply(result -> notify(result, events == null ? null : t -> events.statusChanged(tenantId, status)));
    }

    public CompletionStage<OpResult<NewKey>> createKey(String tenantId) {
        if (!TENANT_ID.matcher(tenantId).matches()) {
            return done(OpResult.refused(Refusal.NOT_FOUND, "no tenant " + tenantId));
        }
        String apiKey = ApiKeys.generate(tenantId);
        KeyInfo key = new KeyInfo(newKeyId(), ApiKeys.digest(apiKey), clock.instant(), null);
        return store.addKey(tenantId, key).thenApply(result -> map(result, stored -> new NewKey(stored, apiKey)));
    }

    public CompletionStage<OpResult<List<KeyInfo>>> keys(String tenantId) {
        return store.keys(tenantId);
    }

    public CompletionStage<OpResult<KeyInfo>> revokeKey(String tenantId, String keyId) {
        return store.revokeKey(tenantId, keyId);
    }

    public CompletionStage<OpResult<TenantView>> setMode(String tenantId, String group, BillingMode mode) {
        Optional<OpResult<TenantView>> unknown = unknownGroup(group);
        return unknown.isPresent() ? done(unknown.get()) : store.setMode(tenantId, group, mode);
    }

    /**
     * @param group null for every group
     * @param from  null: {@code to} minus 29 days
     * @param to    null: today (UTC)
     */
    public CompletionStage<OpResult<Usage>> usage(String tenantId, String group, LocalDate from, LocalDate to) {
        if (group != null) {
            Optional<OpResult<Usage>> unknown = unknownGroup(group);
            if (unknown.isPresent()) {
                return done(unknown.get());
            }
        }
        LocalDate last = to != null ? to : LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate first = from != null ? from : last.minusDays(DEFAULT_USAGE_DAYS - 1);
        return store.usage(tenantId, group, first, last)
                .thenApply(result -> map(result, days -> new Usage(tenantId, first, last, days)));
    }

    public CompletionStage<OpResult<List<LedgerEntry>>> ledger(String tenantId) {
        return store.ledger(tenantId);
    }

    /** A NOT_FOUND refusal when the config in force has no such group. */
    <T> Optional<OpResult<T>> unknownGroup(String group) {
        GatewayConfig config = configs.get();
        if (config.groups().containsKey(group)) {
            return Optional.empty();
        }
        return Optional.of(OpResult.refused(Refusal.NOT_FOUND,
                "no group " + group + " (groups: " + String.join(", ", config.groups().keySet().stream().sorted().toList()) + ")"));
    }

    static <T, R> OpResult<R> map(OpResult<T> result, java.util.function.Function<T, R> ok) {
        if (result instanceof OpResult.Ok<T> done) {
            return OpResult.ok(ok.apply(done.value()));
        }
        OpResult.Refused<T> refused = (OpResult.Refused<T>) result;
        return OpResult.refused(refused.refusal(), refused.message());
    }

    /** Passes {@code result} through, telling {@code listener} (when there is one) about a success first. */
    static <T> OpResult<T> notify(OpResult<T> result, java.util.function.Consumer<T> listener) {
        if (listener != null && result instanceof OpResult.Ok<T> ok) {
            listener.accept(ok.value());
        }
        return result;
    }

    static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    private static String newKeyId() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return "k_" + HexFormat.of().formatHex(bytes);
    }
}
