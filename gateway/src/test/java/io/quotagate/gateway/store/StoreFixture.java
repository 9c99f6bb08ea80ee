package io.quotagate.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Commands and look-ups the contract tests share: one tenant {@code acme}, group {@code portrait}. */
public final class StoreFixture {

    public static final String TENANT = "acme";
    public static final String GROUP = "portrait";
    public static final String KEY = "qg_acme.s3cr3t-0123456789abcdef";
    public static final Activation DEFAULT = new Activation(200, Duration.ofDays(365).toMillis(), 20);
    public static final long RETENTION = Duration.ofMinutes(10).toMillis();

    private final QuotaStore store;

    public StoreFixture(QuotaStore store) {
        this.store = store;
    }

    public static String digest(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static <T> T ok(OpResult<T> result) {
        assertThat(result).isInstanceOf(OpResult.Ok.class);
        return ((OpResult.Ok<T>) result).value();
    }

    public static OpResult.Refusal refusal(OpResult<?> result) {
        assertThat(result).isInstanceOf(OpResult.Refused.class);
        return ((OpResult.Refused<?>) result).refusal();
    }

    public TenantView create(Activation activation, Instant now) {
        return ok(await(store.createTenant(new TenantOps.CreateTenant(TENANT, "Acme", Map.of(GROUP, activation),
                new KeyInfo("k1", digest(KEY), null, null), now))));
    }

    /** A route like {@code POST /v1/portrait/generate}: cost 1, QPS limited, count-mode limit 100. */
    public static Admit request() {
        return new Admit(UUID.randomUUID().toString(), TENANT, digest(KEY), GROUP, 1, true, TemplateUse.NONE, 100, 300, DEFAULT);
    }

    /** An admit command under construction. */
    public record Admit(String id, String tenant, String digest, String group, int cost, boolean qps, TemplateUse templates,
                 int countQps, int maxQps, Activation activation) {
        public Admit id(String v) { return new Admit(v, tenant, digest, group, cost, qps, templates, countQps, maxQps, activation); }
        public Admit tenant(String v) { return new Admit(id, v, digest, group, cost, qps, templates, countQps, maxQps, activation); }
        public Admit key(String plain) { return new Admit(id, tenant, StoreFixture.digest(plain), group, cost, qps, templates, countQps, maxQps, activation); }
        public Admit group(String v, Activation a) { return new Admit(id, tenant, digest, v, cost, qps, templates, countQps, maxQps, a); }
        public Admit cost(int v) { return new Admit(id, tenant, digest, group, v, qps, templates, countQps, maxQps, activation); }
        public Admit qps(boolean v) { return new Admit(id, tenant, digest, group, cost, v, templates, countQps, maxQps, activation); }
        public Admit templates(TemplateUse v) { return new Admit(id, tenant, digest, group, cost, qps, v, countQps, maxQps, activation); }
        public Admit countQps(int v) { return new Admit(id, tenant, digest, group, cost, qps, templates, v, maxQps, activation); }
        public Admit maxQps(int v) { return new Admit(id, tenant, digest, group, cost, qps, templates, countQps, v, activation); }
        public Admit fresh() { return id(UUID.randomUUID().toString()); }

        public AdmitCommand command() {
            return new AdmitCommand(id, tenant, digest, group, cost, qps, templates, countQps, maxQps, activation, RETENTION);
        }
    }

    /** What each request did to template slots, as admission would tell the store at settlement. */
    private final Map<String, TemplateUse> templatesById = new java.util.concurrent.ConcurrentHashMap<>();

    /** The receipts the store gave (or a failed admit carried), to settle and cancel with, as admission does. */
    private final Map<String, String> receiptsById = new java.util.concurrent.ConcurrentHashMap<>();

    public AdmitResult admit(Admit a) {
        return admitAll(List.of(a)).get(0);
    }

    /** Admits a batch at once ({@link QuotaStore#admitAll}). */
    public List<AdmitResult> admitAll(List<Admit> batch) {
        batch.forEach(a -> templatesById.put(a.id(), a.templates()));
        List<AdmitResult> results = await(store.admitAll(batch.stream().map(Admit::command).toList()), batch);
        for (int i = 0; i < batch.size(); i++) {
            if (results.get(i) instanceof AdmitResult.Admitted admitted && admitted.receipt() != null) {
                receiptsById.put(batch.get(i).id(), admitted.receipt());
            }
        }
        return results;
    }

    private <T> T await(CompletionStage<T> stage, List<Admit> batch) {
        try {
            return await(stage);
        } catch (RuntimeException e) {
            for (Admit a : batch) {
                String receipt = StoreUnavailableException.receiptOf(e.getCause(), a.id());
                if (receipt != null) {
                    receiptsById.put(a.id(), receipt);
                }
            }
            throw e;
        }
    }

    public AdmitResult.Admitted admitted(Admit a) {
        AdmitResult r = admit(a);
        assertThat(r).isInstanceOf(AdmitResult.Admitted.class);
        return (AdmitResult.Admitted) r;
    }

    public AdmitResult.Denied denied(Admit a, AdmitResult.Reason reason) {
        AdmitResult r = admit(a);
        assertThat(r).isInstanceOf(AdmitResult.Denied.class);
        AdmitResult.Denied d = (AdmitResult.Denied) r;
        assertThat(d.reason()).isEqualTo(reason);
        return d;
    }

    public void settle(String requestId, boolean refund, boolean upstream2xx) {
        await(store.settle(new SettleCommand(requestId, TENANT, GROUP, refund, upstream2xx,
                templatesById.getOrDefault(requestId, TemplateUse.NONE), receiptsById.get(requestId))));
    }

    public void cancel(String requestId) {
        await(store.cancel(TENANT, GROUP, requestId, receiptsById.get(requestId)));
    }

    public Lot grant(long calls, Instant grantedAt, Instant expiresAt, String order) {
        return ok(await(store.grantPack(new TenantOps.GrantPack(TENANT, GROUP, calls, order, grantedAt, expiresAt,
                new BigDecimal("400"), "CNY"))));
    }

    public OpResult<QpsPurchase> buy(int qps, Instant from, Instant to, int maxQps, String order, Instant now) {
        return await(store.buyQps(new TenantOps.BuyQps(TENANT, GROUP, qps, from, to, maxQps, order, new BigDecimal("220"),
                "CNY", now)));
    }

    public TenantView.GroupView group() {
        return await(store.tenant(TENANT)).orElseThrow().groups().get(GROUP);
    }

    /** Remaining calls per lot id, in use order. */
    public List<Long> remaining() {
        return group().lots().stream().map(Lot::remaining).toList();
    }

    public Lot lot(String id) {
        return group().lots().stream().filter(l -> l.id().equals(id)).findFirst().orElseThrow();
    }

    public List<String> ledgerKinds() {
        return ok(await(store.ledger(TENANT))).stream().map(LedgerEntry::kind).toList();
    }
}
