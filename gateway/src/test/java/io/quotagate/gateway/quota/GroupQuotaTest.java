package io.quotagate.gateway.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.ConfigLoader;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.Lot;
import io.quotagate.gateway.store.QpsPurchase;
import io.quotagate.gateway.store.TemplateQuota;
import io.quotagate.gateway.store.TenantView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The figures of one group in a quota report, from a tenant view at one instant (rules 2–5). */
class GroupQuotaTest {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private GatewayConfig config;

    @BeforeEach
    void config() throws Exception {
        config = ConfigLoader.parse("""
                defaults: { free_calls: 50, free_templates: 7 }
                groups:
                  portrait:
                    count_mode_qps: 10
                    max_qps: 300
                    routes: [ { match: "POST /v1/portrait/generate" } ]
                overrides:
                  vip: { portrait: { count_mode_qps: 20, max_qps: 100 } }
                """, "test.yaml", Map.of());
    }

    @Test
    void callsRemainingCountOnlyUsableLotsAndTheNextExpiryAddsUpLotsExpiringTogether() {
        TenantView.GroupView view = count(
                lot("free", 30, NOW.plus(days(200))),
                lot("a", 100, NOW.plus(days(40))),
                lot("b", 25, NOW.plus(days(40))),
                lot("empty", 0, NOW.plus(days(10))),
                lot("expired", 500, NOW.minusSeconds(1)));

        GroupQuota q = of("acme", view);

        assertThat(q.callsRemaining()).isEqualTo(155);
        assertThat(q.nextExpiry()).isEqualTo(NOW.plus(days(40)));
        assertThat(q.expiringCalls()).isEqualTo(125);
        assertThat(q.qpsLimit()).isEqualTo(10);
        assertThat(q.qpsLimitUntil()).isNull();
        assertThat(q.templates()).isEqualTo(new TemplateQuota(20, 3));
    }

    @Test
    void noUsableLotMeansNoNextExpiry() {
        GroupQuota q = of("acme", count(lot("expired", 5, NOW)));
        assertThat(q.callsRemaining()).isZero();
        assertThat(q.nextExpiry()).isNull();
        assertThat(q.expiringCalls()).isZero();
    }

    @Test
    void countModeQpsTakesTheTenantOverride() {
        assertThat(of("vip", count()).qpsLimit()).isEqualTo(20);
    }

    @Test
    void qpsModeSumsActivePurchasesCappedAtMaxQpsUntilTheNextStartOrEnd() {
        TenantView.GroupView view = new TenantView.GroupView(BillingMode.QPS, List.of(), List.of(
                purchase(60, NOW.minus(days(1)), NOW.plus(days(30))),
                purchase(50, NOW.minus(days(2)), NOW.plus(days(5))),
                purchase(70, NOW.plus(days(3)), NOW.plus(days(60))),
                purchase(99, NOW.minus(days(9)), NOW.minus(days(1)))), new TemplateQuota(20, 0));

        GroupQuota acme = of("acme", view);
        GroupQuota vip = of("vip", view);

        assertThat(acme.qpsLimit()).isEqualTo(110);
        assertThat(acme.qpsLimitUntil()).isEqualTo(NOW.plus(days(3)));
        assertThat(vip.qpsLimit()).isEqualTo(100);
    }

    @Test
    void qpsModeWithoutActivePurchaseIsZeroAndUnbounded() {
        GroupQuota q = of("acme", new TenantView.GroupView(BillingMode.QPS, List.of(), List.of(), new TemplateQuota(20, 0)));
        assertThat(q.qpsLimit()).isZero();
        assertThat(q.qpsLimitUntil()).isNull();
    }

    @Test
    void aGroupNotYetActivatedShowsWhatItsFirstCallGrants() {
        GroupQuota q = of("acme", null);
        assertThat(q.activated()).isFalse();
        assertThat(q.callsRemaining()).isEqualTo(50);
        assertThat(q.templates()).isEqualTo(new TemplateQuota(7, 0));
        assertThat(q.qpsLimit()).isEqualTo(10);
    }

    private GroupQuota of(String tenant, TenantView.GroupView view) {
        return GroupQuota.of(config, tenant, config.groups().get("portrait"), view, NOW);
    }

    private static TenantView.GroupView count(Lot... lots) {
        return new TenantView.GroupView(BillingMode.COUNT, List.of(lots), List.of(), new TemplateQuota(20, 3));
    }

    private static Lot lot(String id, long remaining, Instant expires) {
        return new Lot(id, Lot.Source.PAID, 1000, remaining, NOW.minus(days(100)), expires, "o-" + id);
    }

    private static QpsPurchase purchase(int qps, Instant from, Instant to) {
        return new QpsPurchase("q" + qps, qps, from, to, "o" + qps);
    }

    private static Duration days(long n) {
        return Duration.ofDays(n);
    }
}
