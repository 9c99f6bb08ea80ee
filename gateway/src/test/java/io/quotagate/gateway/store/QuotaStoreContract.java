package io.quotagate.gateway.store;

import static io.quotagate.gateway.store.StoreFixture.DEFAULT;
import static io.quotagate.gateway.store.StoreFixture.GROUP;
import static io.quotagate.gateway.store.StoreFixture.TENANT;
import static io.quotagate.gateway.store.StoreFixture.await;
import static io.quotagate.gateway.store.StoreFixture.digest;
import static io.quotagate.gateway.store.StoreFixture.ok;
import static io.quotagate.gateway.store.StoreFixture.refusal;
import static io.quotagate.gateway.store.StoreFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.store.AdmitResult.Admitted;
import io.quotagate.gateway.store.AdmitResult.Denied;
import io.quotagate.gateway.store.AdmitResult.Reason;
import io.quotagate.gateway.store.OpResult.Refusal;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every rule of SPEC §2 (1–10, 12) that the store decides, run against each {@link QuotaStore} implementation.
 * Subclasses provide a fresh, empty store per test and the store's clock: {@link #now()} and {@link #advance}
 * (a fake clock for memory, real time for Redis, where waits stay under 1.5 s).
 */
public abstract class QuotaStoreContract {

    protected static final Activation NO_FREE_CALLS = new Activation(0, Duration.ofDays(365).toMillis(), 20);
    protected QuotaStore store;
    protected StoreFixture f;

    /** A new, empty store (per test). */
    protected abstract QuotaStore newStore();

    /** The store's clock (Redis server time for Redis). */
    protected abstract Instant now();

    /** Lets the store's clock move forward by {@code d}. */
    protected abstract void advance(Duration d);

    @BeforeEach
    void freshStore() {
        store = newStore();
        f = new StoreFixture(store);
    }

    private Instant days(long n) {
        return now().truncatedTo(ChronoUnit.MILLIS).plus(Duration.ofDays(n));
    }

    // ---- rule 1: activation ----

    @Test
    void creatingATenantActivatesEachGroupOnceWithAFreeLotAndTemplateSlots() {
        Instant at = now().truncatedTo(ChronoUnit.MILLIS);
        TenantView view = f.create(DEFAULT, at);

        TenantView.GroupView g = view.groups().get(GROUP);
        assertThat(view.status()).isEqualTo(TenantView.Status.ACTIVE);
        assertThat(g.mode()).isEqualTo(BillingMode.COUNT);
        assertThat(g.lots()).singleElement().satisfies(lot -> {
            assertThat(lot.source()).isEqualTo(Lot.Source.FREE);
            assertThat(lot.calls()).isEqualTo(200);
            assertThat(lot.remaining()).isEqualTo(200);
            assertThat(lot.expiresAt()).isEqualTo(at.plus(Duration.ofDays(365)));
        });
        assertThat(g.templates()).isEqualTo(new TemplateQuota(20, 0));
        assertThat(f.ledgerKinds()).containsExactly("tenant_created", "key_created", "group_activated");
        assertThat(await(store.tenantIds())).containsExactly(TENANT);
    }

    @Test
    void recreatingATenantIsRefusedAndNeverActivatesTwice() {
        f.create(DEFAULT, now());
        OpResult<TenantView> again = await(store.createTenant(new TenantOps.CreateTenant(TENANT, "Other", Map.of(GROUP, DEFAULT),
                new KeyInfo("k9", digest("qg_acme.other"), null, null), now())));

        assertThat(refusal(again)).isEqualTo(Refusal.CONFLICT);
        // The identical command (a retry after a timeout) returns the tenant, still with one free lot.
        TenantView replay = f.create(DEFAULT, now());
        assertThat(replay.groups().get(GROUP).lots()).hasSize(1);
        assertThat(f.ledgerKinds()).containsExactly("tenant_created", "key_created", "group_activated");
    }

    @Test
    void aGroupAddedLaterIsActivatedAtItsFirstAdmitAndOnlyOnce() {
        f.create(DEFAULT, now());
        Activation video = new Activation(5, Duration.ofDays(30).toMillis(), 2);

        Admitted first = f.admitted(request().group("video", video));
        Admitted second = f.admitted(request().group("video", video));

        assertThat(first.charged()).isEqualTo(1);
        assertThat(first.callsRemaining()).isEqualTo(4);
        assertThat(second.callsRemaining()).isEqualTo(3);
        TenantView.GroupView g = await(store.tenant(TENANT)).orElseThrow().groups().get("video");
        assertThat(g.lots()).singleElement().extracting(Lot::remaining).isEqualTo(3L);
        assertThat(g.templates()).isEqualTo(new TemplateQuota(2, 0));
        assertThat(f.ledgerKinds().stream().filter("group_activated"::equals)).hasSize(2);
    }

    @Test
    void invalidTenantInvalidMalformedOrRevokedKeysAreDeniedAndWriteNothing() {
        f.create(DEFAULT, now());
        f.denied(request().tenant("ghost"), Reason.INVALID_API_KEY);
        f.denied(request().tenant("ACME}{x"), Reason.INVALID_API_KEY);
        f.denied(request().key("qg_acme.wrong"), Reason.INVALID_API_KEY);

        ok(await(store.addKey(TENANT, new KeyInfo("k2", digest("qg_acme.second"), null, null))));
        f.admitted(request().key("qg_acme.second"));
        assertThat(ok(await(store.revokeKey(TENANT, "k2"))).revokedAt()).isNotNull();
        f.denied(request().key("qg_acme.second"), Reason.INVALID_API_KEY);

        assertThat(await(store.tenantIds())).containsExactly(TENANT);
        assertThat(await(store.tenant("ghost"))).isEmpty();
        assertThat(f.remaining()).containsExactly(199L);
        UsageDay today = ok(await(store.usage(TENANT, GROUP, today(), today()))).get(0);
        assertThat(today.rejected()).isEmpty();
    }

    @Test
    void keysCanBeAddedListedAndRevokedIdempotently() {
        f.create(DEFAULT, now());
        ok(await(store.addKey(TENANT, new KeyInfo("k2", digest("qg_acme.second"), null, null))));
        // The same key again is a replay; another key under the same id is a conflict.
        ok(await(store.addKey(TENANT, new KeyInfo("k2", digest("qg_acme.second"), null, null))));
        assertThat(refusal(await(store.addKey(TENANT, new KeyInfo("k2", digest("qg_acme.third"), null, null)))))
                .isEqualTo(Refusal.CONFLICT);

        ok(await(store.revokeKey(TENANT, "k1")));
        KeyInfo again = ok(await(store.revokeKey(TENANT, "k1")));

        assertThat(ok(await(store.keys(TENANT)))).extracting(KeyInfo::keyId, KeyInfo::active)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("k1", false), org.assertj.core.groups.Tuple.tuple("k2", true));
        assertThat(again.revokedAt()).isNotNull();
        assertThat(refusal(await(store.revokeKey(TENANT, "nope")))).isEqualTo(Refusal.NOT_FOUND);
        assertThat(refusal(await(store.keys("ghost")))).isEqualTo(Refusal.NOT_FOUND);
        assertThat(f.ledgerKinds()).containsSubsequence("key_created", "key_created", "key_revoked");
        assertThat(f.ledgerKinds().stream().filter("key_revoked"::equals)).hasSize(1);
    }

    @Test
    void aSnapshotIsTheTenantWithItsKeysInOneReadAndEmptyForAnUnknownTenant() {
        f.create(DEFAULT, now());
        ok(await(store.addKey(TENANT, new KeyInfo("k2", digest("qg_acme.second"), null, null))));
        ok(await(store.revokeKey(TENANT, "k1")));

        TenantSnapshot snapshot = await(store.snapshot(TENANT)).orElseThrow();

        assertThat(snapshot.view()).isEqualTo(await(store.tenant(TENANT)).orElseThrow());
        assertThat(snapshot.keys()).extracting(KeyInfo::keyId, KeyInfo::digest, KeyInfo::active).containsExactly(
                org.assertj.core.groups.Tuple.tuple("k1", digest(StoreFixture.KEY), false),
                org.assertj.core.groups.Tuple.tuple("k2", digest("qg_acme.second"), true));
        assertThat(await(store.snapshot("ghost"))).isEmpty();
        assertThat(await(store.snapshot("Not A Tenant"))).isEmpty();
    }

    @Test
    void aSuspendedTenantIsDeniedUntilResumed() {
        f.create(DEFAULT, now());
        ok(await(store.setStatus(TENANT, TenantView.Status.SUSPENDED)));
        f.denied(request(), Reason.TENANT_SUSPENDED);
        assertThat(f.remaining()).containsExactly(200L);

        ok(await(store.setStatus(TENANT, TenantView.Status.ACTIVE)));
        f.admitted(request());
        assertThat(f.ledgerKinds()).endsWith("suspended", "resumed");
        assertThat(refusal(await(store.setStatus("ghost", TenantView.Status.ACTIVE)))).isEqualTo(Refusal.NOT_FOUND);
    }

    // ---- rules 2-4: deduction order, validity, count mode ----

    @Test
    void chargesTakeTheFreeLotFirstThenPaidLotsByExpiryThenGrantTimeAcrossLots() {
        f.create(new Activation(2, Duration.ofDays(365).toMillis(), 20), now());
        Instant t = now().truncatedTo(ChronoUnit.MILLIS);
        Lot a = f.grant(5, t.minus(Duration.ofDays(3)), t.plus(Duration.ofDays(30)), "o-a");
        Lot b = f.grant(5, t.minus(Duration.ofDays(1)), t.plus(Duration.ofDays(10)), "o-b");
        // Same expiry as b, granted earlier: used before b.
        Lot c = f.grant(2, t.minus(Duration.ofDays(2)), t.plus(Duration.ofDays(10)), "o-c");

        assertThat(f.group().lots()).extracting(Lot::id).containsExactly(f.group().lots().get(0).id(), c.id(), b.id(), a.id());
        assertThat(f.admitted(request().cost(2)).callsRemaining()).isEqualTo(12);
        assertThat(f.remaining()).containsExactly(0L, 2L, 5L, 5L);
        Admitted spanning = f.admitted(request().cost(3));
        assertThat(spanning.charged()).isEqualTo(3);
        assertThat(f.remaining()).containsExactly(0L, 0L, 4L, 5L);
        assertThat(f.admitted(request().cost(5)).callsRemaining()).isEqualTo(4);
        assertThat(f.remaining()).containsExactly(0L, 0L, 0L, 4L);
    }

    @Test
    void expiredLotsAreNeverUsedAndAChargeThatCannotBeCoveredChangesNothing() {
        f.create(NO_FREE_CALLS, now());
        Lot expired = f.grant(10, days(-2), days(-1), "o-old");
        Lot live = f.grant(3, days(-1), days(1), "o-new");

        Denied d = f.denied(request().cost(4), Reason.CALLS_EXHAUSTED);
        assertThat(d.callsRemaining()).isEqualTo(3);
        assertThat(f.lot(live.id()).remaining()).isEqualTo(3);
        assertThat(f.admitted(request().cost(3)).callsRemaining()).isZero();
        assertThat(f.lot(expired.id()).remaining()).isEqualTo(10);
        f.denied(request().cost(1), Reason.CALLS_EXHAUSTED);
        // cost 0 is never exhausted and charges nothing.
        Admitted free = f.admitted(request().cost(0));
        assertThat(free.charged()).isZero();
        assertThat(free.callsRemaining()).isZero();
    }

    @Test
    void aLotExpiringWhileInUseBecomesVoid() {
        f.create(NO_FREE_CALLS, now());
        Instant t = now().truncatedTo(ChronoUnit.MILLIS);
        Lot lot = f.grant(5, t, t.plusMillis(300), "o-short");
        assertThat(f.admitted(request()).callsRemaining()).isEqualTo(4);

        advance(Duration.ofMillis(400));

        assertThat(f.denied(request(), Reason.CALLS_EXHAUSTED).callsRemaining()).isZero();
        assertThat(f.lot(lot.id()).remaining()).isEqualTo(4);
        assertThat(f.lot(lot.id()).usableAt(now())).isFalse();
    }

    @Test
    void aLotGrantedAfterAdmitsThatExpiresFirstIsUsedFirstAndThenBecomesVoid() {
        f.create(NO_FREE_CALLS, now());
        Instant t = now().truncatedTo(ChronoUnit.MILLIS);
        Lot longLot = f.grant(10, t, t.plus(Duration.ofDays(10)), "o-long");
        assertThat(f.admitted(request()).callsRemaining()).isEqualTo(9);
        // Granted after admissions looked at the lots, expiring before every lot they saw.
        Lot shortLot = f.grant(5, t, t.plusMillis(300), "o-short");
        assertThat(f.admitted(request()).callsRemaining()).isEqualTo(13);
        assertThat(f.lot(shortLot.id()).remaining()).isEqualTo(4);

        advance(Duration.ofMillis(400));

        assertThat(f.admitted(request()).callsRemaining()).isEqualTo(8);
        assertThat(f.lot(longLot.id()).remaining()).isEqualTo(8);
        assertThat(f.lot(shortLot.id()).remaining()).isEqualTo(4);
    }

    @Test
    void countModeLimitsQpsToTheGroupLimit() {
        f.create(DEFAULT, now());
        for (int i = 0; i < 3; i++) {
            Admitted a = f.admitted(request().countQps(3));
            assertThat(a.limit()).isEqualTo(3);
            assertThat(a.windowRemaining()).isEqualTo(2 - i);
        }
        Denied d = f.denied(request().countQps(3), Reason.QPS_EXCEEDED);
        assertThat(d.retryAfterMillis()).isBetween(1L, 1000L);
        assertThat(f.remaining()).containsExactly(197L);
    }

    // ---- rule 5: QPS mode ----

    @Test
    void qpsModeLimitsToTheSumOfActivePurchasesAndChargesNothing() {
        f.create(DEFAULT, now());
        Instant t = now().truncatedTo(ChronoUnit.MILLIS);
        ok(f.buy(2, t.minusSeconds(60), t.plus(Duration.ofDays(1)), 300, "q1", t));
        ok(f.buy(3, t.minusSeconds(60), t.plus(Duration.ofDays(2)), 300, "q2", t));
        ok(f.buy(7, t.plus(Duration.ofDays(1)), t.plus(Duration.ofDays(3)), 300, "q3", t));
        ok(f.buy(9, t.minus(Duration.ofDays(3)), t.minus(Duration.ofDays(1)), 300, "q4", t));
        // Purchases only count in QPS mode: in count mode the group limit applies.
        assertThat(f.admitted(request().countQps(10)).limit()).isEqualTo(10);

        ok(await(store.setMode(TENANT, GROUP, BillingMode.QPS)));
        // The count-mode admission above is still in the window: 4 more fit under a limit of 5.
        List<Admitted> passed = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            passed.add(f.admitted(request()));
        }
        Denied d = f.denied(request(), Reason.QPS_EXCEEDED);

        assertThat(passed).allSatisfy(a -> {
            assertThat(a.mode()).isEqualTo(BillingMode.QPS);
            assertThat(a.limit()).isEqualTo(5);
            assertThat(a.charged()).isZero();
            assertThat(a.callsRemaining()).isEqualTo(-1);
        });
        assertThat(d.limit()).isEqualTo(5);
        assertThat(f.remaining()).containsExactly(199L);
        assertThat(f.group().qpsPurchases()).hasSize(4);
    }

    @Test
    void qpsModeCapsTheLimitAtMaxQps() {
        f.create(DEFAULT, now());
        Instant t = now().truncatedTo(ChronoUnit.MILLIS);
        ok(f.buy(6, t.minusSeconds(1), t.plus(Duration.ofDays(1)), 300, "q1", t));
        ok(await(store.setMode(TENANT, GROUP, BillingMode.QPS)));

        assertThat(f.admitted(request().maxQps(4)).limit()).isEqualTo(4);
    }

    @Test
    void qpsModeWithoutAnActivePurchaseDeniesMeteredRoutesOnly() {
        f.create(DEFAULT, now());
        ok(await(store.setMode(TENANT, GROUP, BillingMode.QPS)));

        Denied d = f.denied(request(), Reason.QPS_NOT_PURCHASED);
        assertThat(d.mode()).isEqualTo(BillingMode.QPS);
        // A route outside the QPS quota (polling a task) only needs a valid key.
        Admitted polling = f.admitted(request().cost(0).qps(false));
        assertThat(polling.limit()).isZero();
        assertThat(f.ledgerKinds()).endsWith("mode_set");
    }

    @Test
    void aPurchaseThatWouldExceedMaxQpsAtAnyInstantIsRefused() {
        f.create(DEFAULT, now());
        Instant t = now().truncatedTo(ChronoUnit.MILLIS);
        ok(f.buy(6, t.plus(Duration.ofDays(1)), t.plus(Duration.ofDays(3)), 10, "a", t));
        ok(f.buy(4, t, t.plus(Duration.ofDays(2)), 10, "b", t));

        // 4 + 1 now, but 6 + 4 + 1 = 11 once the first purchase starts.
        assertThat(refusal(f.buy(1, t, t.plus(Duration.ofDays(1)).plusSeconds(3600), 10, "c", t))).isEqualTo(Refusal.INVALID);
        assertThat(refusal(f.buy(11, t, t.plus(Duration.ofDays(1)), 10, "d", t))).isEqualTo(Refusal.INVALID);
        // Touching the end of a purchase is not overlapping it: [t, t+1d) and [t+1d, ...) never add up.
        ok(f.buy(1, t.plus(Duration.ofDays(2)), t.plus(Duration.ofDays(4)), 10, "e", t));
        ok(f.buy(1, t, t.plusSeconds(60), 10, "g", t));
        assertThat(f.group().qpsPurchases()).extracting(QpsPurchase::orderId).containsExactlyInAnyOrder("a", "b", "e", "g");
    }

    // ---- rule 6: sliding window ----

    @Test
    void theWindowSlidesAndRejectedRequestsDoNotUseItUp() {
        f.create(DEFAULT, now());
        for (int i = 0; i < 3; i++) {
            f.admitted(request().countQps(5));
        }
        advance(Duration.ofMillis(400));
        f.admitted(request().countQps(5));
        assertThat(f.admitted(request().countQps(5)).windowRemaining()).isZero();
        Denied d = f.denied(request().countQps(5), Reason.QPS_EXCEEDED);
        assertThat(d.retryAfterMillis()).isBetween(500L, 600L);
        for (int i = 0; i < 5; i++) {
            f.denied(request().countQps(5), Reason.QPS_EXCEEDED);
        }

        advance(Duration.ofMillis(700));

        // The first three left the window, the two of 700 ms ago did not: exactly three fit.
        for (int i = 0; i < 3; i++) {
            f.admitted(request().countQps(5));
        }
        f.denied(request().countQps(5), Reason.QPS_EXCEEDED);
        assertThat(f.remaining()).containsExactly(192L);
    }

    @Test
    void loweringOrRaisingTheLimitKeepsTheWindowExact() {
        f.create(DEFAULT, now());
        for (int i = 0; i < 5; i++) {
            f.admitted(request().countQps(5));
        }
        f.denied(request().countQps(3), Reason.QPS_EXCEEDED);
        for (int i = 0; i < 3; i++) {
            f.admitted(request().countQps(8));
        }
        f.denied(request().countQps(8), Reason.QPS_EXCEEDED);
        f.denied(request().countQps(5), Reason.QPS_EXCEEDED);
    }

    // ---- rules 7-8: templates and one atomic decision ----

    @Test
    void templateSlotsAreReservedKeptOnlyOn2xxAndFreedByDeletes() {
        f.create(new Activation(200, Duration.ofDays(365).toMillis(), 2), now());
        StoreFixture.Admit create = request().templates(TemplateUse.CREATE);
        StoreFixture.Admit delete = request().cost(0).templates(TemplateUse.DELETE);

        StoreFixture.Admit c1 = create.fresh();
        f.admitted(c1);
        f.settle(c1.id(), false, true);
        StoreFixture.Admit c2 = create.fresh();
        f.admitted(c2);
        assertThat(f.group().templates()).isEqualTo(new TemplateQuota(2, 2));
        f.settle(c2.id(), false, false);
        assertThat(f.group().templates()).isEqualTo(new TemplateQuota(2, 1));
        f.admitted(create.fresh());
        f.denied(create.fresh(), Reason.TEMPLATE_QUOTA_EXHAUSTED);

        StoreFixture.Admit d1 = delete.fresh();
        f.admitted(d1);
        f.settle(d1.id(), false, false);
        assertThat(f.group().templates().used()).isEqualTo(2);
        StoreFixture.Admit d2 = delete.fresh();
        f.admitted(d2);
        f.settle(d2.id(), false, true);
        assertThat(f.group().templates().used()).isEqualTo(1);

        ok(await(store.grantTemplates(new TenantOps.GrantTemplates(TENANT, GROUP, 100, "t-1", new BigDecimal("400"), "CNY", now()))));
        assertThat(f.group().templates()).isEqualTo(new TemplateQuota(102, 1));
    }

    @Test
    void templateDeletesNeverTakeUsedBelowZero() {
        f.create(DEFAULT, now());
        for (int i = 0; i < 2; i++) {
            StoreFixture.Admit d = request().cost(0).templates(TemplateUse.DELETE);
            f.admitted(d);
            f.settle(d.id(), false, true);
        }
        assertThat(f.group().templates()).isEqualTo(new TemplateQuota(20, 0));
    }

    @Test
    void aDenialChargesNothingReservesNothingAndLeavesTheWindowAlone() {
        f.create(new Activation(200, Duration.ofDays(365).toMillis(), 0), now());
        // Template denial: no charge and no window entry (limit 1 would otherwise be used up).
        f.denied(request().countQps(1).templates(TemplateUse.CREATE), Reason.TEMPLATE_QUOTA_EXHAUSTED);
        f.admitted(request().countQps(1));
        // QPS denial: no charge, no slot.
        ok(await(store.grantTemplates(new TenantOps.GrantTemplates(TENANT, GROUP, 1, "t", null, null, now()))));
        f.denied(request().countQps(1).templates(TemplateUse.CREATE), Reason.QPS_EXCEEDED);

        assertThat(f.remaining()).containsExactly(199L);
        assertThat(f.group().templates()).isEqualTo(new TemplateQuota(1, 0));
    }

    // ---- rules 9-10: refunds, cancel, exactly once ----

    @Test
    void aRefundGoesBackToTheLotsItCameFromOnce() {
        f.create(new Activation(1, Duration.ofDays(365).toMillis(), 20), now());
        Lot paid = f.grant(5, days(-1), days(10), "o-1");
        StoreFixture.Admit a = request().cost(3);
        f.admitted(a);
        assertThat(f.remaining()).containsExactly(0L, 3L);

        f.settle(a.id(), true, false);
        f.settle(a.id(), true, false);
        f.cancel(a.id());

        assertThat(f.remaining()).containsExactly(1L, 5L);
        assertThat(f.lot(paid.id()).remaining()).isEqualTo(5);
        assertThat(f.admitted(request().cost(6)).callsRemaining()).isZero();
    }

    @Test
    void aRefundToALotThatExpiredMeanwhileIsDropped() {
        f.create(NO_FREE_CALLS, now());
        Instant t = now().truncatedTo(ChronoUnit.MILLIS);
        Lot shortLot = f.grant(5, t, t.plusMillis(300), "o-short");
        StoreFixture.Admit a = request().cost(2);
        f.admitted(a);

        advance(Duration.ofMillis(400));
        f.settle(a.id(), true, false);

        assertThat(f.lot(shortLot.id()).remaining()).isEqualTo(3);
        f.denied(request(), Reason.CALLS_EXHAUSTED);
        assertThat(ok(await(store.usage(TENANT, GROUP, today(), today()))).get(0).refunded()).isZero();
    }

    @Test
    void aRepeatedAdmitReturnsTheFirstDecisionAndChargesOnce() {
        f.create(DEFAULT, now());
        StoreFixture.Admit a = request().countQps(1);
        Admitted first = f.admitted(a);
        Admitted again = f.admitted(a);

        assertThat(again).isEqualTo(first);
        assertThat(f.remaining()).containsExactly(199L);
        f.denied(request().countQps(1), Reason.QPS_EXCEEDED);
    }

    @Test
    void cancelBeforeTheAdmitArrivesMakesItChargeNothing() {
        f.create(DEFAULT, now());
        StoreFixture.Admit a = request().cost(5);
        f.cancel(a.id());

        f.denied(a, Reason.CANCELLED);
        f.settle(a.id(), true, false);
        assertThat(f.remaining()).containsExactly(200L);
    }

    @Test
    void cancelAfterTheAdmitRefundsAndReleasesOnceEvenWithSettle() {
        f.create(DEFAULT, now());
        StoreFixture.Admit a = request().cost(5).templates(TemplateUse.CREATE);
        f.admitted(a);
        f.cancel(a.id());
        f.cancel(a.id());
        f.settle(a.id(), true, false);

        assertThat(f.remaining()).containsExactly(200L);
        assertThat(f.group().templates().used()).isZero();
        f.denied(a, Reason.CANCELLED);
        UsageDay today = ok(await(store.usage(TENANT, GROUP, today(), today()))).get(0);
        assertThat(today.charged()).isEqualTo(5);
        assertThat(today.refunded()).isEqualTo(5);
    }

    @Test
    void cancelAfterSettleRefundsNothingMore() {
        f.create(DEFAULT, now());
        StoreFixture.Admit a = request().cost(2);
        f.admitted(a);
        f.settle(a.id(), false, true);
        f.cancel(a.id());
        assertThat(f.remaining()).containsExactly(198L);
    }

    @Test
    void aGrantRepeatedWithItsOrderIdCreditsOnceAndAnotherBodyConflicts() {
        f.create(NO_FREE_CALLS, now());
        Lot first = f.grant(1000, days(0), days(365), "order-1");
        Lot again = f.grant(1000, days(0), days(365), "order-1");
        OpResult<Lot> other = await(store.grantPack(new TenantOps.GrantPack(TENANT, GROUP, 10000, "order-1", days(0), days(365),
                null, null)));
        OpResult<QpsPurchase> otherKind = f.buy(1, days(0), days(1), 300, "order-1", now());

        assertThat(again).isEqualTo(first);
        assertThat(refusal(other)).isEqualTo(Refusal.CONFLICT);
        assertThat(refusal(otherKind)).isEqualTo(Refusal.CONFLICT);
        assertThat(f.group().lots()).singleElement().extracting(Lot::remaining).isEqualTo(1000L);
        QpsPurchase q = ok(f.buy(2, days(0), days(1), 300, "order-2", now()));
        assertThat(ok(f.buy(2, days(0), days(1), 300, "order-2", now()))).isEqualTo(q);
        TemplateQuota t = ok(await(store.grantTemplates(new TenantOps.GrantTemplates(TENANT, GROUP, 100, "order-3", null, null, now()))));
        assertThat(ok(await(store.grantTemplates(new TenantOps.GrantTemplates(TENANT, GROUP, 100, "order-3", null, null, now())))))
                .isEqualTo(t);
        assertThat(f.group().templates().quota()).isEqualTo(120);
    }

    @Test
    void grantsAreRecordedInTheLedgerWithPriceAndOrder() {
        f.create(DEFAULT, now());
        Lot lot = f.grant(1000, days(0), days(365), "order-1");
        ok(await(store.setMode(TENANT, GROUP, BillingMode.QPS)));

        List<LedgerEntry> ledger = ok(await(store.ledger(TENANT)));
        assertThat(ledger).extracting(LedgerEntry::kind)
                .containsExactly("tenant_created", "key_created", "group_activated", "pack_granted", "mode_set");
        LedgerEntry grant = ledger.get(3);
        assertThat(grant.group()).isEqualTo(GROUP);
        assertThat(grant.orderId()).isEqualTo("order-1");
        assertThat(grant.price()).isEqualByComparingTo("400");
        assertThat(grant.currency()).isEqualTo("CNY");
        assertThat(grant.detail()).contains("calls=1000").contains(lot.id());
        assertThat(refusal(await(store.ledger("ghost")))).isEqualTo(Refusal.NOT_FOUND);
    }

    @Test
    void invalidGrantsAndUnknownTenantsAreRefused() {
        f.create(DEFAULT, now());
        assertThat(refusal(await(store.grantPack(new TenantOps.GrantPack(TENANT, GROUP, 0, "o", days(0), days(1), null, null)))))
                .isEqualTo(Refusal.INVALID);
        assertThat(refusal(await(store.grantPack(new TenantOps.GrantPack(TENANT, GROUP, 5, "o", days(1), days(0), null, null)))))
                .isEqualTo(Refusal.INVALID);
        assertThat(refusal(await(store.grantPack(new TenantOps.GrantPack("ghost", GROUP, 5, "o", days(0), days(1), null, null)))))
                .isEqualTo(Refusal.NOT_FOUND);
        assertThat(refusal(await(store.createTenant(new TenantOps.CreateTenant("Bad Id", null, Map.of(),
                new KeyInfo("k1", digest("x"), null, null), now()))))).isEqualTo(Refusal.INVALID);
        assertThat(refusal(await(store.setMode("ghost", GROUP, BillingMode.QPS)))).isEqualTo(Refusal.NOT_FOUND);
        assertThat(f.group().lots()).hasSize(1);
    }

    // ---- failing open (docs/reliability.md): uncharged entries and replica heartbeats ----

    @Test
    void anUnchargedEntryIsWrittenToTheLedgerOncePerIdAndGroupAndChangesNoBalance() {
        f.create(DEFAULT, now());
        Instant before = now().truncatedTo(ChronoUnit.MILLIS);
        Instant first = before.minusSeconds(30);
        UnchargedEntry entry = new UnchargedEntry("r1.1", TENANT, GROUP, 12, 12, first, first.plusMillis(900), "r1");

        assertThat(ok(await(store.recordUncharged(entry)))).isTrue();
        assertThat(ok(await(store.recordUncharged(entry)))).as("a retry after a timeout writes nothing").isFalse();
        assertThat(ok(await(store.recordUncharged(new UnchargedEntry("r1.1", TENANT, "video", 1, 0, first, first, "r1")))))
                .as("the same outage, another group").isTrue();
        assertThat(ok(await(store.recordUncharged(new UnchargedEntry("r1.2", TENANT, GROUP, 3, 3, first, first, "r1")))))
                .as("the next outage").isTrue();
        assertThat(ok(await(store.recordUncharged(new UnchargedEntry("r2.1", TENANT, GROUP, 3, 3, first, first, "r2")))))
                .as("another replica").isTrue();

        List<LedgerEntry> lines = ok(await(store.ledger(TENANT))).stream()
                .filter(e -> e.kind().equals(UnchargedEntry.KIND)).toList();
        assertThat(lines).extracting(LedgerEntry::group).containsExactly(GROUP, "video", GROUP, GROUP);
        LedgerEntry line = lines.get(0);
        assertThat(line.detail()).isEqualTo("requests=12 calls=12 first=" + first + " last=" + first.plusMillis(900)
                + " replica=r1 id=r1.1");
        assertThat(line.orderId()).isNull();
        assertThat(line.price()).isNull();
        assertThat(line.currency()).isNull();
        assertThat(line.at()).isBetween(before.minusMillis(1), now().plusMillis(1));
        assertThat(f.remaining()).as("an entry for operators: no balance changes").containsExactly(200L);
    }

    @Test
    void anUnchargedEntryForAnUnknownTenantOrMalformedIsRefusedAndWritesNothing() {
        f.create(DEFAULT, now());
        Instant t = now();
        assertThat(refusal(await(store.recordUncharged(new UnchargedEntry("r1.1", "ghost", GROUP, 1, 1, t, t, "r1")))))
                .isEqualTo(Refusal.NOT_FOUND);
        assertThat(refusal(await(store.recordUncharged(new UnchargedEntry("r1.1", "Bad Id", GROUP, 1, 1, t, t, "r1")))))
                .isEqualTo(Refusal.NOT_FOUND);
        for (UnchargedEntry bad : List.of(
                new UnchargedEntry("r1", TENANT, GROUP, 1, 1, t, t, "r1"),
                new UnchargedEntry("r2.1", TENANT, GROUP, 1, 1, t, t, "r1"),
                new UnchargedEntry("r1.1", TENANT, "no group", 1, 1, t, t, "r1"),
                new UnchargedEntry("r1.1", TENANT, GROUP, 0, 0, t, t, "r1"),
                new UnchargedEntry("r1.1", TENANT, GROUP, 1, -1, t, t, "r1"),
                new UnchargedEntry("r1.1", TENANT, GROUP, 1, 1, t, t.minusMillis(1), "r1"))) {
            assertThat(refusal(await(store.recordUncharged(bad)))).as(bad.toString()).isEqualTo(Refusal.INVALID);
        }
        assertThat(f.ledgerKinds()).doesNotContain(UnchargedEntry.KIND);
    }

    @Test
    void aHeartbeatCountsTheReplicasHeardFromWithinItsTtl() {
        Duration ttl = Duration.ofMillis(1000);
        assertThat(await(store.heartbeat("r1", ttl))).isEqualTo(1);
        assertThat(await(store.heartbeat("r2", ttl))).isEqualTo(2);
        assertThat(await(store.heartbeat("r1", ttl))).as("renewed, not added").isEqualTo(2);
        advance(Duration.ofMillis(400));
        assertThat(await(store.heartbeat("r1", ttl))).isEqualTo(2);
        advance(Duration.ofMillis(700)); // r2 last beat 1100 ms ago
        assertThat(await(store.heartbeat("r1", ttl))).isEqualTo(1);
        assertThat(await(store.heartbeat("r2", ttl))).as("back").isEqualTo(2);
    }

    // ---- usage ----

    @Test
    void dailyUsageCountsAdmissionsChargesRefundsAndRejections() {
        f.create(new Activation(2, Duration.ofDays(365).toMillis(), 20), now());
        f.grant(10, days(-1), days(10), "o-1");
        f.admitted(request().cost(2));
        StoreFixture.Admit refunded = request().cost(3);
        f.admitted(refunded);
        f.settle(refunded.id(), true, false);
        f.denied(request().cost(100), Reason.CALLS_EXHAUSTED);
        f.denied(request().key("qg_acme.bad"), Reason.INVALID_API_KEY);

        List<UsageDay> days = ok(await(store.usage(TENANT, null, today().minusDays(1), today())));

        assertThat(days).singleElement().satisfies(d -> {
            assertThat(d.group()).isEqualTo(GROUP);
            assertThat(d.date()).isEqualTo(today());
            assertThat(d.admitted()).isEqualTo(2);
            assertThat(d.charged()).isEqualTo(5);
            assertThat(d.chargedFree()).isEqualTo(2);
            assertThat(d.refunded()).isEqualTo(3);
            assertThat(d.rejected()).containsExactly(Map.entry("calls_exhausted", 1L));
        });
        assertThat(refusal(await(store.usage("ghost", null, today(), today())))).isEqualTo(Refusal.NOT_FOUND);
        assertThat(refusal(await(store.usage(TENANT, null, today(), today().minusDays(1))))).isEqualTo(Refusal.INVALID);
    }

    // ---- batches: admitAll decides like admits one after another at one instant (rules 2, 6, 7, 8, 10) ----

    @Test
    void aBatchChargesInOrderUntilTheCallsRunOutAndDeniesTheRestWithoutPartialCharges() {
        f.create(NO_FREE_CALLS, now());
        f.grant(2, days(-1), days(10), "o-late");
        f.grant(3, days(-1), days(5), "o-early");
        List<StoreFixture.Admit> batch = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            batch.add(request().cost(i == 2 ? 3 : 1).countQps(10));
        }
        List<AdmitResult> r = f.admitAll(batch);

        // 1 from the early lot, 1 more, then cost 3 finds only 3 left and takes them across both lots, then nothing.
        assertThat(r.get(0)).usingRecursiveComparison().ignoringFields("receipt").isEqualTo(new Admitted(BillingMode.COUNT, 10, 9, 1000, 4, 1));
        assertThat(r.get(1)).usingRecursiveComparison().ignoringFields("receipt").isEqualTo(new Admitted(BillingMode.COUNT, 10, 8, 1000, 3, 1));
        assertThat(r.get(2)).usingRecursiveComparison().ignoringFields("receipt").isEqualTo(new Admitted(BillingMode.COUNT, 10, 7, 1000, 0, 3));
        assertThat(r.get(3)).isInstanceOfSatisfying(Denied.class, d -> {
            assertThat(d.reason()).isEqualTo(Reason.CALLS_EXHAUSTED);
            assertThat(d.callsRemaining()).isZero();
        });
        assertThat(f.remaining()).containsExactly(0L, 0L);
        // The cost-3 request took 1 from the early lot and 2 from the late one: a refund returns exactly those.
        f.settle(batch.get(2).id(), true, false);
        assertThat(f.group().lots()).extracting(Lot::remaining).containsExactly(1L, 2L);
        UsageDay today = ok(await(store.usage(TENANT, GROUP, today(), today()))).get(0);
        assertThat(today.admitted()).isEqualTo(3);
        assertThat(today.charged()).isEqualTo(5);
        assertThat(today.refunded()).isEqualTo(3);
        assertThat(today.rejected()).containsEntry("calls_exhausted", 1L);
    }

    @Test
    void aBatchFillsTheWindowAndItsRejectionsWaitForItsOwnAdmissions() {
        f.create(DEFAULT, now());
        f.admitted(request().countQps(4));
        List<StoreFixture.Admit> batch = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            batch.add(request().countQps(4));
        }
        batch.add(request().countQps(4).qps(false));
        List<AdmitResult> r = f.admitAll(batch);

        assertThat(r.subList(0, 3)).extracting(a -> ((Admitted) a).windowRemaining()).containsExactly(2L, 1L, 0L);
        for (AdmitResult denied : r.subList(3, 6)) {
            assertThat(denied).isInstanceOfSatisfying(Denied.class, d -> {
                assertThat(d.reason()).isEqualTo(Reason.QPS_EXCEEDED);
                // the 4th newest admission is the one before the batch: it leaves first
                assertThat(d.retryAfterMillis()).isBetween(1L, 1000L);
            });
        }
        // A route outside the window still passes and is still charged.
        assertThat(r.get(6)).isInstanceOfSatisfying(Admitted.class, a -> assertThat(a.charged()).isEqualTo(1));
        assertThat(f.remaining()).containsExactly(195L);

        List<AdmitResult> full = f.admitAll(List.of(request().countQps(3), request().countQps(3)));
        // With the limit lowered to 3, the 3 newest admissions (all at one instant) leave together in 1 s at most.
        assertThat(full).allSatisfy(d -> assertThat(((Denied) d).reason()).isEqualTo(Reason.QPS_EXCEEDED));
    }

    @Test
    void aBatchMixesKeysFreeRoutesAndTemplateSlots() {
        f.create(new Activation(10, Duration.ofDays(365).toMillis(), 1), now());
        List<AdmitResult> r = f.admitAll(List.of(
                request().templates(TemplateUse.CREATE),
                request().key("qg_acme.wrong"),
                request().templates(TemplateUse.CREATE),
                request().cost(0).qps(false),
                request().cost(2)));

        assertThat(r.get(0)).isInstanceOfSatisfying(Admitted.class, a -> assertThat(a.charged()).isEqualTo(1));
        assertThat(((Denied) r.get(1)).reason()).isEqualTo(Reason.INVALID_API_KEY);
        assertThat(((Denied) r.get(2)).reason()).isEqualTo(Reason.TEMPLATE_QUOTA_EXHAUSTED);
        assertThat(r.get(3)).isInstanceOfSatisfying(Admitted.class, a -> {
            assertThat(a.charged()).isZero();
            assertThat(a.limit()).isZero();
            assertThat(a.callsRemaining()).isEqualTo(9);
        });
        assertThat(r.get(4)).isInstanceOfSatisfying(Admitted.class, a -> assertThat(a.callsRemaining()).isEqualTo(7));
        assertThat(f.group().templates()).isEqualTo(new TemplateQuota(1, 1));
        assertThat(f.remaining()).containsExactly(7L);
    }

    @Test
    void aBatchThatCrossesFromTheFreeLotToAPackRefundsEachRequestToTheLotItTookFrom() {
        f.create(new Activation(3, Duration.ofDays(365).toMillis(), 20), now());
        f.grant(10, days(-1), days(30), "o-pack");
        List<StoreFixture.Admit> batch = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            batch.add(request().countQps(100));
        }
        List<AdmitResult> r = f.admitAll(batch);

        // Three from the free lot, then four from the pack; the window and the calls go down one by one.
        assertThat(r).extracting(a -> ((Admitted) a).chargedFree()).containsExactly(1L, 1L, 1L, 0L, 0L, 0L, 0L);
        assertThat(r).extracting(a -> ((Admitted) a).windowRemaining()).containsExactly(99L, 98L, 97L, 96L, 95L, 94L, 93L);
        assertThat(r).extracting(a -> ((Admitted) a).callsRemaining()).containsExactly(12L, 11L, 10L, 9L, 8L, 7L, 6L);
        assertThat(f.remaining()).containsExactly(0L, 6L);

        f.settle(batch.get(1).id(), true, false);
        f.settle(batch.get(5).id(), true, false);
        f.settle(batch.get(6).id(), false, true);
        assertThat(f.remaining()).containsExactly(1L, 7L);
        // A request settled once is settled: a second refund changes nothing.
        f.settle(batch.get(5).id(), true, false);
        assertThat(f.remaining()).containsExactly(1L, 7L);
    }

    @Test
    void aBatchRepeatedReturnsItsFirstDecisionsAndChargesOnceAcrossTenants() {
        f.create(DEFAULT, now());
        ok(await(store.createTenant(new TenantOps.CreateTenant("beta", "Beta", Map.of(GROUP, DEFAULT),
                new KeyInfo("k1", digest("qg_beta.key"), null, null), now()))));
        List<StoreFixture.Admit> batch = List.of(request().cost(2), request().tenant("beta").key("qg_beta.key"),
                request().cost(3), request().tenant("beta").key("qg_beta.key").cost(5));

        List<AdmitResult> first = f.admitAll(batch);
        List<AdmitResult> again = f.admitAll(batch);

        assertThat(again).isEqualTo(first);
        assertThat(first).allSatisfy(a -> assertThat(a).isInstanceOf(Admitted.class));
        // Every call came from the free lots: the share is reported, and reported again by the resend.
        assertThat(first).extracting(a -> ((Admitted) a).chargedFree()).containsExactly(2L, 1L, 3L, 5L);
        assertThat(f.remaining()).containsExactly(195L);
        assertThat(await(store.tenant("beta")).orElseThrow().groups().get(GROUP).lots().get(0).remaining()).isEqualTo(194);
    }

    // ---- concurrency ----

    @Test
    void concurrentAdmitsNeverChargeMoreThanTheBalance() throws Exception {
        f.create(new Activation(100, Duration.ofDays(365).toMillis(), 20), now());
        List<AdmitResult> results = hammer(List.of(store), 16, 1000);

        assertThat(results.stream().filter(r -> r instanceof Admitted)).hasSize(100);
        assertThat(results.stream().filter(r -> r instanceof Denied d && d.reason() == Reason.CALLS_EXHAUSTED)).hasSize(900);
        assertThat(f.remaining()).containsExactly(0L);
    }

    /** Runs {@code total} admits (cost 1, no QPS limit) from {@code threads} threads, spread over the stores. */
    protected static List<AdmitResult> hammer(List<QuotaStore> stores, int threads, int total) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<AdmitResult>> calls = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                QuotaStore s = stores.get(i % stores.size());
                calls.add(() -> await(s.admit(request().qps(false).command())));
            }
            List<AdmitResult> results = new ArrayList<>();
            for (Future<AdmitResult> r : pool.invokeAll(calls)) {
                results.add(r.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    protected LocalDate today() {
        return LocalDate.ofInstant(now(), ZoneOffset.UTC);
    }
}
