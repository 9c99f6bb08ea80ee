package io.quotagate.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.admin.GrantService;
import io.quotagate.gateway.admin.QpsTerm;
import io.quotagate.gateway.admin.TenantService;
import io.quotagate.gateway.config.ConfigLoader;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.store.Activation;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.StoreFixture;
import io.quotagate.gateway.store.TenantView;
import io.quotagate.gateway.testkit.MutableClock;
import io.quotagate.gateway.testkit.WebhookReceiver;
import io.quotagate.gateway.testkit.WebhookReceiver.Delivery;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Events from admin operations and the clock to a real HTTP receiver, through the dispatcher (driven tick by tick
 * with an injectable clock), on each store pair: signed, once per id, retried with backoff, parked, replayed, and
 * expiry reminders that fire when the clock reaches their notice.
 */
abstract class EventDeliveryContract {

    static final String SECRET = "whsec-0123456789abcdef";
    private static final String GROUP = "portrait";

    private WebhookReceiver receiver;
    private MutableClock clock;
    private QuotaStore quotas;
    private EventStore events;
    private GatewayMetrics metrics;
    private EventDispatcher dispatcher;
    private TenantService tenants;
    private GrantService grants;
    private BillingEvents billing;
    private StoreFixture f;

    /** A fresh quota store on {@code clock} and a fresh event store. */
    protected abstract QuotaStore newQuotaStore(MutableClock clock);

    protected abstract EventStore newEventStore();

    @BeforeEach
    void start() throws Exception {
        receiver = WebhookReceiver.start();
        clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        GatewayConfig config = ConfigLoader.parse("""
                defaults: { free_calls: 5, free_pack_validity: 100d }
                groups:
                  portrait:
                    routes: [ { match: "POST /v1/portrait/generate" } ]
                events:
                  webhook_url: "%s"
                  secret: "%s"
                  low_calls: 10%%
                  lot_expiry_notice: 30d
                  qps_end_notice: 2d
                  max_attempts: 5
                  retry_initial: 1s
                  retry_max: 4s
                """.formatted(receiver.url(), SECRET), "events.yaml", Map.of());
        quotas = newQuotaStore(clock);
        events = newEventStore();
        metrics = new GatewayMetrics(true);
        billing = new BillingEvents(() -> config, events, metrics, clock);
        tenants = new TenantService(quotas, () -> config, clock, billing);
        grants = new GrantService(quotas, () -> config, clock, tenants, new GatewayMetrics(true), billing);
        dispatcher = new EventDispatcher(() -> config, events, quotas, metrics, clock, Duration.ofSeconds(1));
        f = new StoreFixture(quotas);
    }

    @AfterEach
    void stop() {
        dispatcher.close();
        receiver.close();
        events.close();
        quotas.close();
    }

    @Test
    void aGrantIsDeliveredOnceSignedWithAStableIdThatTheDocumentedCheckAccepts() throws Exception {
        f.create(new Activation(5, Duration.ofDays(100).toMillis(), 20), clock.instant());
        StoreFixture.await(grants.grantPack("acme", GROUP, 1000, "ORD-1", null, null));
        StoreFixture.await(grants.grantPack("acme", GROUP, 1000, "ORD-1", null, null)); // repeated order

        List<Delivery> got = tickUntil(1);
        tick(3);

        assertThat(receiver.deliveries()).hasSize(1);
        Delivery d = got.get(0);
        assertThat(d.eventId()).isEqualTo("grant_applied:acme:ORD-1");
        BillingEvent event = EventJson.read(d.body());
        assertThat(event.id()).isEqualTo(d.eventId());
        assertThat(event.type()).isEqualTo(EventType.GRANT_APPLIED);
        assertThat(event.data()).containsEntry("calls", 1000L).containsEntry("order_id", "ORD-1");
        assertThat(verify(d, clock.instant())).isEqualTo(WebhookSignature.Verdict.VALID);
        assertThat(verify(new Delivery(d.eventId(), d.timestamp(), d.signature(), d.body().replace("1000", "9000")),
                clock.instant())).isEqualTo(WebhookSignature.Verdict.BAD_SIGNATURE);
        assertThat(verify(d, clock.instant().plus(Duration.ofMinutes(6)))).isEqualTo(WebhookSignature.Verdict.STALE);
        assertThat(StoreFixture.await(events.find(d.eventId())).orElseThrow().status()).isEqualTo(EventRecord.Status.DELIVERED);
    }

    @Test
    void aReceiverThatFailsThreeTimesThenSucceedsGetsTheEventOnceWithTheSameId() throws Exception {
        receiver.failFirst(3);
        f.create(new Activation(5, Duration.ofDays(100).toMillis(), 20), clock.instant());
        StoreFixture.await(grants.grantTemplates("acme", GROUP, 100, "ORD-T"));

        tickUntil(1);
        for (Duration backoff : List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4))) {
            int before = receiver.deliveries().size();
            clock.advance(backoff.minusMillis(1));
            tick(1);
            assertThat(receiver.deliveries()).as("not due before its backoff").hasSize(before);
            clock.advance(Duration.ofMillis(1));
            tickUntil(before + 1);
        }
        tick(2);

        List<Delivery> got = receiver.deliveries();
        assertThat(got).hasSize(4).extracting(Delivery::eventId).containsOnly("grant_applied:acme:ORD-T");
        assertThat(got).extracting(Delivery::body).containsOnly(got.get(0).body());
        EventRecord record = StoreFixture.await(events.find("grant_applied:acme:ORD-T")).orElseThrow();
        assertThat(record.status()).isEqualTo(EventRecord.Status.DELIVERED);
        assertThat(record.attempts()).isEqualTo(4);
        assertThat(counter(GatewayMetrics.EVENT_FAILED)).isEqualTo(3);
        assertThat(counter(GatewayMetrics.EVENT_DELIVERED)).isEqualTo(1);
    }

    @Test
    void afterMaxAttemptsAnEventIsParkedAndReplayQueuesItAgain() throws Exception {
        receiver.failFirst(1000);
        f.create(new Activation(5, Duration.ofDays(100).toMillis(), 20), clock.instant());
        StoreFixture.await(tenants.setStatus("acme", TenantView.Status.SUSPENDED));
        for (int attempt = 1; attempt <= 5; attempt++) {
            tickUntil(attempt);
            clock.advance(Duration.ofSeconds(4));
        }
        tick(2);
        assertThat(receiver.deliveries()).hasSize(5);
        String id = receiver.deliveries().get(0).eventId();
        assertThat(id).isEqualTo("tenant_suspended:acme:1");
        assertThat(StoreFixture.await(events.find(id)).orElseThrow().status()).isEqualTo(EventRecord.Status.FAILED);
        assertThat(counter(GatewayMetrics.EVENT_PARKED)).isEqualTo(1);

        receiver.failFirst(0);
        StoreFixture.await(events.replay(id, clock.instant()));
        assertThat(tickUntil(6).get(5).eventId()).isEqualTo(id);
        assertThat(StoreFixture.await(events.find(id)).orElseThrow().status()).isEqualTo(EventRecord.Status.DELIVERED);
    }

    @Test
    void statusEventsAreSentOncePerChange() throws Exception {
        f.create(new Activation(5, Duration.ofDays(100).toMillis(), 20), clock.instant());
        StoreFixture.await(tenants.setStatus("acme", TenantView.Status.SUSPENDED));
        StoreFixture.await(tenants.setStatus("acme", TenantView.Status.SUSPENDED));
        StoreFixture.await(tenants.setStatus("acme", TenantView.Status.ACTIVE));

        tickUntil(2);
        tick(2);
        assertThat(receiver.deliveries()).extracting(Delivery::eventId)
                .containsExactlyInAnyOrder("tenant_suspended:acme:1", "tenant_resumed:acme:2");
    }

    @Test
    void expiryEventsAppearWhenTheClockReachesTheirNoticeAndOnlyForLotsWithCallsLeft() throws Exception {
        Instant t0 = clock.instant();
        billing.tenantCreated(f.create(new Activation(5, Duration.ofDays(100).toMillis(), 20), t0));
        StoreFixture.await(grants.grantPack("acme", GROUP, 1000, "ORD-1", null, null));
        StoreFixture.await(grants.buyQps("acme", GROUP, 10, QpsTerm.days(7), "ORD-2", null));
        f.admitted(StoreFixture.request().cost(5)); // uses up the free lot
        tickUntil(2); // the two grants
        Instant paidExpiry = EventJson.read(receiver.deliveries().stream().filter(d -> d.eventId().endsWith("ORD-1"))
                .findFirst().orElseThrow().body()).data().get("expires_at") instanceof String s ? Instant.parse(s) : null;

        clock.set(t0.plus(Duration.ofDays(5)).minusSeconds(1));
        tick(2);
        assertThat(receiver.deliveries()).hasSize(2);
        clock.set(t0.plus(Duration.ofDays(5)));
        Delivery ending = tickUntil(3).get(2);
        assertThat(ending.eventId()).startsWith("qps_purchase_ending:acme:portrait:");
        assertThat(EventJson.read(ending.body()).data()).containsEntry("qps", 10L);

        clock.set(t0.plus(Duration.ofDays(70))); // the free lot's notice: it has no calls left, so no event
        tick(3);
        assertThat(receiver.deliveries()).hasSize(3);

        clock.set(paidExpiry.minus(Duration.ofDays(30)).minusSeconds(1));
        tick(2);
        assertThat(receiver.deliveries()).hasSize(3);
        clock.set(paidExpiry.minus(Duration.ofDays(30)));
        Delivery expiring = tickUntil(4).get(3);
        assertThat(expiring.eventId()).startsWith("lot_expiring:acme:portrait:");
        assertThat(EventJson.read(expiring.body()).data()).containsEntry("calls_remaining", 1000L)
                .containsEntry("expires_at", paidExpiry.toString());
        tick(3);
        assertThat(receiver.deliveries()).hasSize(4);
    }

    @Test
    void chargesCrossingTheShareOfTheLastGrantAndTheLastCallAreOneEventEachPerGrant() throws Exception {
        f.create(new Activation(0, Duration.ofDays(100).toMillis(), 20), clock.instant());
        StoreFixture.await(grants.grantPack("acme", GROUP, 100, "ORD-1", null, null));
        // 10% of the last grant of 100 calls: below 10 remaining.
        billing.charged("acme", GROUP, 12, 11);
        billing.charged("acme", GROUP, 11, 9);
        billing.charged("acme", GROUP, 10, 9); // a refund then the same crossing again: the same id
        billing.charged("acme", GROUP, 9, 1);
        billing.charged("acme", GROUP, 1, 0);
        tickUntil(3);
        tick(2);

        assertThat(receiver.deliveries()).extracting(Delivery::eventId).containsExactlyInAnyOrder(
                "grant_applied:acme:ORD-1", "calls_low:acme:portrait:10:g1", "calls_exhausted:acme:portrait:g1");
    }

    private WebhookSignature.Verdict verify(Delivery d, Instant now) {
        return WebhookSignature.verify(SECRET, d.timestamp(), d.body(), d.signature(), now, WebhookSignature.TOLERANCE);
    }

    private double counter(String result) {
        var c = metrics.registry().find(GatewayMetrics.EVENT_DELIVERIES).tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    private void tick(int times) {
        for (int i = 0; i < times; i++) {
            dispatcher.tick();
        }
    }

    /** Ticks until the receiver has {@code n} deliveries (emits on Redis complete asynchronously). */
    private List<Delivery> tickUntil(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (receiver.deliveries().size() < n && System.nanoTime() < deadline) {
            dispatcher.tick();
            Thread.sleep(10);
        }
        assertThat(receiver.deliveries()).hasSizeGreaterThanOrEqualTo(n);
        return receiver.deliveries();
    }
}
