package io.quotagate.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.ConfigLoader;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.route.ConfigHolder;
import io.quotagate.gateway.store.Activation;
import io.quotagate.gateway.store.AdmitCommand;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.KeyInfo;
import io.quotagate.gateway.store.MemoryQuotaStore;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.StoreUnavailableException;
import io.quotagate.gateway.store.TenantOps;
import io.quotagate.gateway.store.TenantView;
import io.quotagate.gateway.store.UnchargedEntry;
import io.quotagate.gateway.testkit.MutableClock;
import java.math.BigDecimal;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link QuotaAdmission} on the memory store: how routes, keys, store answers and store failures become
 * decisions, and which upstream outcomes settle what.
 */
class QuotaAdmissionTest {

    private static final String YAML = """
            store: { on_error: reject }
            upstream: { url: "http://127.0.0.1:9000", response_timeout: 5s }
            groups:
              portrait:
                count_mode_qps: 3
                routes:
                  - { match: "POST /v1/portrait/generate", cost: 1 }
                  - { match: "GET /v1/portrait/tasks/{id}", cost: 0, qps: false }
                  - { match: "POST /v1/templates", cost: 1, templates: create }
                  - { match: "DELETE /v1/templates/{id}", cost: 0, templates: delete }
              open:
                on_error: allow
                routes:
                  - { match: "POST /v1/open", cost: 1 }
            overrides:
              vip: { portrait: { count_mode_qps: 5 } }
            """;

    private final MemoryQuotaStore memory = new MemoryQuotaStore(Clock.systemUTC());
    private final GatewayMetrics metrics = new GatewayMetrics(true);
    private final StoreRetries retries = new StoreRetries(1000, Duration.ofMinutes(1));
    private final Map<String, String> cancelReceipts = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<String> storeCalls = new CopyOnWriteArrayList<>();
    private volatile boolean storeDown;
    private ConfigHolder holder;
    private QuotaAdmission admission;
    /** Fail-open decisions on a clock of their own: the local window must not slide while a test runs. */
    private final MutableClock failOpenClock = new MutableClock(Instant.parse("2026-01-15T00:00:00Z"));
    private final FailOpen failOpen = new FailOpen("t", metrics, failOpenClock);
    private String acmeKey;

    @BeforeEach
    void setUp() throws Exception {
        GatewayConfig config = ConfigLoader.parse(YAML, "test.yaml", Map.of());
        holder = new ConfigHolder(config);
        admission = new QuotaAdmission(holder::current, flaky(memory), new RequestIds("t"), retries, metrics, Clock.systemUTC(),
                0, failOpen);
        acmeKey = createTenant("acme");
    }

    @AfterEach
    void tearDown() {
        retries.close();
        memory.close();
    }

    @Test
    void unknownRouteIsRejectedWithoutAStoreCall() {
        Decision d = admit("POST", "/v1/other", acmeKey);
        assertThat(rejected(d).code()).isEqualTo(RejectionCode.ROUTE_NOT_FOUND);
        assertThat(storeCalls).isEmpty();
    }

    @Test
    void missingAndMalformedKeysAreRejectedWithoutAStoreCall() {
        assertThat(rejected(admit("POST", "/v1/portrait/generate", null)).code()).isEqualTo(RejectionCode.MISSING_API_KEY);
        assertThat(rejected(admit("POST", "/v1/portrait/generate", "")).code()).isEqualTo(RejectionCode.MISSING_API_KEY);
        assertThat(rejected(admit("POST", "/v1/portrait/generate", "not-a-key")).code()).isEqualTo(RejectionCode.INVALID_API_KEY);
        assertThat(storeCalls).isEmpty();
    }

    @Test
    void wellFormedButUnknownKeyIsInvalidAfterAStoreLookup() {
        String forged = ApiKeys.generate("acme");
        Decision d = admit("POST", "/v1/portrait/generate", forged);
        assertThat(rejected(d).code()).isEqualTo(RejectionCode.INVALID_API_KEY);
        assertThat(rejected(d).rateLimit()).as("no rate-limit state leaks for a bad key").isNull();
        assertThat(storeCalls).containsExactly("admit");
    }

    @Test
    void admittedChargeCarriesHeadersState() {
        Decision.Admitted a = admitted(admit("POST", "/v1/portrait/generate", acmeKey));
        assertThat(a.tenantId()).isEqualTo("acme");
        assertThat(a.needsSettlement()).isTrue();
        assertThat(a.rateLimit().limit()).isEqualTo(3);
        assertThat(a.rateLimit().remaining()).isEqualTo(2);
        assertThat(a.rateLimit().resetSeconds()).as("t=0 while the window has room").isZero();
        assertThat(a.rateLimit().callsRemaining()).isEqualTo(199);
    }

    @Test
    void freeUnmeteredRouteNeedsNoSettlementAndShowsNoQpsLimit() {
        Decision.Admitted a = admitted(admit("GET", "/v1/portrait/tasks/t-1", acmeKey));
        assertThat(a.needsSettlement()).isFalse();
        assertThat(a.rateLimit().limit()).isZero();
        assertThat(a.rateLimit().callsRemaining()).isEqualTo(200);
    }

    @Test
    void tenantOverrideRaisesTheCountModeLimit() {
        String vipKey = createTenant("vip");
        Decision.Admitted a = admitted(admit("POST", "/v1/portrait/generate", vipKey));
        assertThat(a.rateLimit().limit()).isEqualTo(5);
    }

    @Test
    void qpsExceededCarriesRetryAfterOfAtLeastOneSecond() {
        for (int i = 0; i < 2; i++) {
            admitted(admit("POST", "/v1/portrait/generate", acmeKey));
        }
        Decision.Admitted last = admitted(admit("POST", "/v1/portrait/generate", acmeKey));
        assertThat(last.rateLimit().remaining()).isZero();
        assertThat(last.rateLimit().resetSeconds()).as("window full: seconds until a slot frees").isEqualTo(1);
        Decision.Rejected r = rejected(admit("POST", "/v1/portrait/generate", acmeKey));
        assertThat(r.code()).isEqualTo(RejectionCode.QPS_EXCEEDED);
        assertThat(r.retryAfterSeconds()).isEqualTo(1);
        assertThat(r.rateLimit().remaining()).isZero();
        assertThat(r.tenantId()).isEqualTo("acme");
        assertThat(r.group()).isEqualTo("portrait");
    }

    @Test
    void refundOnStatusesTransportErrorsAndTimeoutsButNotOnClientErrors() throws Exception {
        assertRefunded(UpstreamOutcome.responded(500), true);
        assertRefunded(UpstreamOutcome.responded(503), true);
        assertRefunded(UpstreamOutcome.responded(429), true);
        assertRefunded(UpstreamOutcome.TRANSPORT_ERROR, true);
        assertRefunded(UpstreamOutcome.TIMEOUT, true);
        assertRefunded(UpstreamOutcome.NOT_SENT, true);
        assertRefunded(UpstreamOutcome.responded(400), false);
        assertRefunded(UpstreamOutcome.responded(200), false);
        assertThat(metrics.scrape()).contains("quotagate_refunds_total{group=\"portrait\"} 6.0")
                .contains("quotagate_calls_refunded_total{group=\"portrait\"} 6.0")
                .contains("quotagate_calls_charged_total{group=\"portrait\"} 8.0");
    }

    @Test
    void aFailedFreeCallHasNothingToRefund() throws Exception {
        metrics.registerGroups(List.of("portrait"), List.of(), List.of());
        Decision.Admitted a = admitted(admit("GET", "/v1/portrait/tasks/t-1", acmeKey));
        admission.settle(a, UpstreamOutcome.responded(500));
        Thread.sleep(200);
        assertThat(storeCalls).containsExactly("admit");
        assertThat(metrics.scrape()).contains("quotagate_refunds_total{group=\"portrait\"} 0.0")
                .contains("quotagate_calls_charged_total{group=\"portrait\"} 0.0");
    }

    private void assertRefunded(UpstreamOutcome outcome, boolean refunded) throws Exception {
        long before = callsRemaining("acme");
        Decision.Admitted a = admitted(admit("POST", "/v1/portrait/generate", acmeKey));
        admission.settle(a, outcome);
        long expected = refunded ? before : before - 1;
        awaitTrue(() -> callsRemaining("acme") == expected);
        assertThat(callsRemaining("acme")).as(outcome.toString()).isEqualTo(expected);
        Thread.sleep(1000); // next request in a fresh QPS window (limit 3)
    }

    @Test
    void templateSlotIsKeptOnlyOn2xxAndDeleteFreesOneOn2xx() throws Exception {
        String vipKey = createTenant("vip"); // limit 5: four requests in one window
        admission.settle(admitted(admit("POST", "/v1/templates", vipKey)), UpstreamOutcome.responded(201));
        awaitTrue(() -> templatesUsed("vip") == 1);
        admission.settle(admitted(admit("POST", "/v1/templates", vipKey)), UpstreamOutcome.responded(400));
        Thread.sleep(200);
        assertThat(templatesUsed("vip")).isEqualTo(1);
        admission.settle(admitted(admit("DELETE", "/v1/templates/x", vipKey)), UpstreamOutcome.responded(404));
        Thread.sleep(200);
        assertThat(templatesUsed("vip")).isEqualTo(1);
        admission.settle(admitted(admit("DELETE", "/v1/templates/x", vipKey)), UpstreamOutcome.responded(204));
        awaitTrue(() -> templatesUsed("vip") == 0);
    }

    @Test
    void theCancelOfAFailedAdmitCarriesTheReceiptTheFailureNamed() throws Exception {
        storeDown = true;
        rejected(admit("POST", "/v1/portrait/generate", acmeKey));
        storeDown = false;
        awaitTrue(() -> !cancelReceipts.isEmpty());
        // Without it a Redis store could not find a batch that applied after all, and the charge would stay.
        cancelReceipts.forEach((id, receipt) -> assertThat(receipt).isEqualTo("receipt-of-" + id));
    }

    @Test
    void storeDownFailsClosedWith503AndQueuesACancel() throws Exception {
        storeDown = true;
        Decision.Rejected r = rejected(admit("POST", "/v1/portrait/generate", acmeKey));
        assertThat(r.code()).isEqualTo(RejectionCode.QUOTA_STORE_UNAVAILABLE);
        assertThat(r.retryAfterSeconds()).isEqualTo(1);
        assertThat(metrics.scrape()).contains("quotagate_store_errors_total{kind=\"other\"} 1.0")
                .contains("quotagate_store_errors_total{kind=\"timeout\"} 0.0");
        storeDown = false;
        awaitTrue(() -> storeCalls.contains("cancel"));
        assertThat(callsRemaining("acme")).isEqualTo(200);
    }

    @Test
    void storeDownFailsOpenOnlyForKeysSeenValidRecently() throws Exception {
        String other = createTenant("other");
        admitted(admit("POST", "/v1/open", acmeKey));
        storeDown = true;
        Decision.Admitted open = admitted(admit("POST", "/v1/open", acmeKey));
        assertThat(open.needsSettlement()).as("fail-open requests are not charged").isFalse();
        assertThat(open.rateLimit()).isNull();
        assertThat(metrics.scrape()).contains("quotagate_fail_open_admissions_total{group=\"open\"} 1.0");
        assertThat(rejected(admit("POST", "/v1/open", other)).code()).isEqualTo(RejectionCode.QUOTA_STORE_UNAVAILABLE);
        assertThat(rejected(admit("POST", "/v1/open", ApiKeys.generate("acme"))).code())
                .isEqualTo(RejectionCode.QUOTA_STORE_UNAVAILABLE);
        assertThat(rejected(admit("POST", "/v1/portrait/generate", acmeKey)).code())
                .as("portrait fails closed").isEqualTo(RejectionCode.QUOTA_STORE_UNAVAILABLE);
    }

    @Test
    void failingOpenKeepsTheCountModeLimitLocallyThenAnswers429WithRetryAfter() {
        admitted(admit("POST", "/v1/open", acmeKey));
        storeDown = true;
        for (int i = 0; i < 10; i++) {
            admitted(admit("POST", "/v1/open", acmeKey));
        }
        Decision.Rejected over = rejected(admit("POST", "/v1/open", acmeKey));
        assertThat(over.code()).isEqualTo(RejectionCode.QPS_EXCEEDED);
        assertThat(over.retryAfterSeconds()).isEqualTo(1);
        assertThat(over.tenantId()).isEqualTo("acme");
        assertThat(over.rateLimit()).isEqualTo(new RateLimitState(10, 0, 1, -1));
        assertThat(metrics.scrape()).contains("quotagate_fail_open_admissions_total{group=\"open\"} 10.0")
                .contains("quotagate_fail_open_limited_total{group=\"open\"} 1.0");

        failOpenClock.advance(Duration.ofMillis(999));
        assertThat(rejected(admit("POST", "/v1/open", acmeKey)).code()).isEqualTo(RejectionCode.QPS_EXCEEDED);
        failOpenClock.advance(Duration.ofMillis(1));
        admitted(admit("POST", "/v1/open", acmeKey));
        assertThat(failOpen.uncharged().closeAll()).singleElement().satisfies(e -> {
            assertThat(e.tenantId()).isEqualTo("acme");
            assertThat(e.group()).isEqualTo("open");
            assertThat(e.requests()).as("the 429s are not counted").isEqualTo(11);
            assertThat(e.calls()).isEqualTo(11);
        });
        assertThat(callsRemaining("acme")).as("nothing charged").isEqualTo(200);
    }

    @Test
    void eachReplicaFailsOpenWithItsShareOfTheLimit() {
        admitted(admit("POST", "/v1/open", acmeKey));
        failOpen.limiter().replicasSeen(3);
        storeDown = true;
        assertThat(admittedInARow("POST", "/v1/open", acmeKey)).as("ceil(10 / 3)").isEqualTo(4);
    }

    @Test
    void failingOpenInQpsModeKeepsThePurchasedLimitSeenAtTheLastAdmissionAndCountsNoCalls() {
        Instant now = Instant.now();
        await(memory.setMode("acme", "open", BillingMode.QPS));
        await(memory.buyQps(new TenantOps.BuyQps("acme", "open", 3, now.minusSeconds(60), now.plus(Duration.ofDays(1)), 300,
                "o-1", BigDecimal.ONE, "CNY", now)));
        admitted(admit("POST", "/v1/open", acmeKey));
        storeDown = true;

        assertThat(admittedInARow("POST", "/v1/open", acmeKey)).as("3, not count_mode_qps 10").isEqualTo(3);
        assertThat(rejected(admit("POST", "/v1/open", acmeKey)).rateLimit().limit()).isEqualTo(3);
        assertThat(failOpen.uncharged().closeAll()).singleElement().extracting(UnchargedEntry::requests, UnchargedEntry::calls)
                .containsExactly(3L, 0L);
    }

    @Test
    void reloadedLimitAppliesToTheNextRequest() throws Exception {
        admitted(admit("POST", "/v1/portrait/generate", acmeKey));
        holder.swap(ConfigLoader.parse(YAML.replace("count_mode_qps: 3", "count_mode_qps: 1"), "test.yaml", Map.of()));
        Decision.Rejected r = rejected(admit("POST", "/v1/portrait/generate", acmeKey));
        assertThat(r.code()).isEqualTo(RejectionCode.QPS_EXCEEDED);
        assertThat(r.rateLimit().limit()).isEqualTo(1);
        assertThat(callsRemaining("acme")).isEqualTo(199);
    }

    // ---- helpers ----

    private int admittedInARow(String method, String path, String key) {
        int n = 0;
        while (n < 100 && admit(method, path, key) instanceof Decision.Admitted) {
            n++;
        }
        return n;
    }

    private String createTenant(String id) {
        String key = ApiKeys.generate(id);
        await(memory.createTenant(new TenantOps.CreateTenant(id, id, Map.of("portrait", new Activation(200, Duration.ofDays(365).toMillis(), 20),
                "open", new Activation(200, Duration.ofDays(365).toMillis(), 20)),
                new KeyInfo("k1", ApiKeys.digest(key), Instant.now(), null), Instant.now())));
        return key;
    }

    private Decision admit(String method, String path, String key) {
        return await(admission.admit(new AdmissionRequest(method, path, key)));
    }

    private static Decision.Rejected rejected(Decision d) {
        assertThat(d).isInstanceOf(Decision.Rejected.class);
        return (Decision.Rejected) d;
    }

    private static Decision.Admitted admitted(Decision d) {
        assertThat(d).isInstanceOf(Decision.Admitted.class);
        return (Decision.Admitted) d;
    }

    private long callsRemaining(String tenant) {
        TenantView.GroupView g = await(memory.tenant(tenant)).orElseThrow().groups().get("portrait");
        Instant now = Instant.now();
        return g.lots().stream().filter(l -> l.usableAt(now)).mapToLong(l -> l.remaining()).sum();
    }

    private long templatesUsed(String tenant) {
        return await(memory.tenant(tenant)).orElseThrow().groups().get("portrait").templates().used();
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    /** The memory store behind a switch that makes admit and cancel fail as an unreachable store does. */
    private QuotaStore flaky(QuotaStore delegate) {
        return (QuotaStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {QuotaStore.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("admit") || name.equals("cancel") || name.equals("settle")) {
                        storeCalls.add(name);
                        if (name.equals("cancel") && args.length == 4) {
                            cancelReceipts.put((String) args[2], String.valueOf(args[3]));
                        }
                        if (storeDown) {
                            // A failed admit names the receipt its request would have had, as RedisAdmission does.
                            Map<String, String> receipts = name.equals("admit")
                                    ? Map.of(((AdmitCommand) args[0]).requestId(), "receipt-of-" + ((AdmitCommand) args[0]).requestId())
                                    : Map.of();
                            return CompletableFuture.failedFuture(new StoreUnavailableException("store down (test)", null, receipts));
                        }
                    }
                    return method.invoke(delegate, args);
                });
    }
}
