package io.quotagate.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.RouteConfig.TemplateAction;
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
final class StoreFixture {

    static final String TENANT = "acme";
    static final String GROUP = "portrait";
    static final String KEY = "qg_acme.s3cr3t-0123456789abcdef";
    static final Activation DEFAULT = new Activation(200, Duration.ofDays(365).toMillis(), 20);
    static final long RETENTION = Duration.ofMinutes(10).toMillis();

    private final QuotaStore store;

    StoreFixture(QuotaStore store) {
        this.store = store;
    }

    static String digest(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T ok(OpResult<T> result) {
        assertThat(result).isInstanceOf(OpResult.Ok.class);
        return ((OpResult.Ok<T>) result).value();
    }

    static OpResult.Refusal refusal(OpResult<?> result) {
        assertThat(result).isInstanceOf(OpResult.Refused.class);
        return ((OpResult.Refused<?>) result).refusal();
    }

    TenantView create(Activation activation, Instant now) {
        return ok(await(store.createTenant(new TenantOps.CreateTenant(TENANT, "Acme", Map.of(GROUP, activation),
                new KeyInfo("k1", digest(KEY), null, null), now))));
    }

    /** A route like {@code POST /v1/portrait/generate}: cost 1, QPS limited, count-mode limit 100. */
    static Admit request() {
        return new Admit(UUID.randomUUID().toString(), TENANT, digest(KEY), GROUP, 1, true, TemplateAction.NONE, 100, 300, DEFAULT);
    }

    /** An admit command under construction. */
    record Admit(String id, String tenant, String digest, String group, int cost, boolean qps, TemplateAction templates,
                 int countQps, int maxQps, Activation activation) {
        Admit id(String v) { return new Admit(v, tenant, digest, group, cost, qps, templates, countQps, maxQps, activation); }
        Admit tenant(String v) { return new Admit(id, v, digest, group, cost, qps, templates, countQps, maxQps, activation); }
        Admit key(String plain) { return new Admit(id, tenant, StoreFixture.digest(plain), group, cost, qps, templates, countQps, maxQps, activation); }
        Admit group(String v, Activation a) { return new Admit(id, tenant, digest, v, cost, qps, templates, countQps, maxQps, a); }
        Admit cost(int v) { return new Admit(id, tenant, digest, group, v, qps, templates, countQps, maxQps, activation); }
        Admit qps(boolean v) { return new Admit(id, tenant, digest, group, cost, v, templates, countQps, maxQps, activation); }
        Admit templates(TemplateAction v) { return new Admit(id, tenant, digest, group, cost, qps, v, countQps, maxQps, activation); }
        Admit countQps(int v) { return new Admit(id, tenant, digest, group, cost, qps, templates, v, maxQps, activation); }
        Admit maxQps(int v) { return new Admit(id, tenant, digest, group, cost, qps, templates, countQps, v, activation); }
        Admit fresh() { return id(UUID.randomUUID().toString()); }

        AdmitCommand command() {
            return new AdmitCommand(id, tenant, digest, group, cost, qps, templates, countQps, maxQps, activation, RETENTION);
        }
    }

    AdmitResult admit(Admit a) {
        return await(store.admit(a.command()));
    }

    AdmitResult.Admitted admitted(Admit a) {
        AdmitResult r = admit(a);
        assertThat(r).isInstanceOf(AdmitResult.Admitted.class);
        return (AdmitResult.Admitted) r;
    }

    AdmitResult.Denied denied(Admit a, AdmitResult.Reason reason) {
        AdmitResult r = admit(a);
        assertThat(r).isInstanceOf(AdmitResult.Denied.class);
        AdmitResult.Denied d = (AdmitResult.Denied) r;
        assertThat(d.reason()).isEqualTo(reason);
        return d;
    }

    void settle(String requestId, boolean refund, boolean upstream2xx) {
        await(store.settle(new SettleCommand(requestId, TENANT, GROUP, refund, upstream2xx)));
    }

    void cancel(String requestId) {
        await(store.cancel(TENANT, GROUP, requestId));
    }

    Lot grant(long calls, Instant grantedAt, Instant expiresAt, String order) {
        return ok(await(store.grantPack(new TenantOps.GrantPack(TENANT, GROUP, calls, order, grantedAt, expiresAt,
                new BigDecimal("400"), "CNY"))));
    }

    OpResult<QpsPurchase> buy(int qps, Instant from, Instant to, int maxQps, String order, Instant now) {
        return await(store.buyQps(new TenantOps.BuyQps(TENANT, GROUP, qps, from, to, maxQps, order, new BigDecimal("220"),
                "CNY", now)));
    }

    TenantView.GroupView group() {
        return await(store.tenant(TENANT)).orElseThrow().groups().get(GROUP);
    }

    /** Remaining calls per lot id, in use order. */
    List<Long> remaining() {
        return group().lots().stream().map(Lot::remaining).toList();
    }

    Lot lot(String id) {
        return group().lots().stream().filter(l -> l.id().equals(id)).findFirst().orElseThrow();
    }

    List<String> ledgerKinds() {
        return ok(await(store.ledger(TENANT))).stream().map(LedgerEntry::kind).toList();
    }
}
