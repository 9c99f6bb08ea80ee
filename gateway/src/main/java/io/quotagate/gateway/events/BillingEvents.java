package io.quotagate.gateway.events;

import io.quotagate.gateway.config.EventsConfig;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.store.Lot;
import io.quotagate.gateway.store.QpsPurchase;
import io.quotagate.gateway.store.TenantView;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices billing events and hands them to the {@link EventStore}, which decides once by id: threshold crossings
 * from admission decisions ({@link #charged}), and what admin operations change (grants, status, new tenants, whose
 * lots and purchases get their expiry reminders scheduled here). Never blocks and never fails its caller: a store
 * failure is retried a few times in the background, then logged and counted. Does nothing while {@code events.webhook_url} is empty.
 */
public final class BillingEvents {

    private static final Logger LOG = LoggerFactory.getLogger(BillingEvents.class);
    /** How long this replica trusts the last grant it read for share thresholds (grants on other replicas). */
    private static final long GRANT_CACHE_MILLIS = 10_000;
    /** Retries of a failed emit: after 1, 2, 4, 8 and 16 s. */
    private static final int EMIT_RETRIES = 5;

    private record CachedGrant(long calls, long readAt) {
    }

    private final Supplier<GatewayConfig> configs;
    private final EventStore store;
    private final GatewayMetrics metrics;
    private final InstantSource clock;
    private final ConcurrentMap<String, CachedGrant> lastGrants = new ConcurrentHashMap<>();

    public BillingEvents(Supplier<GatewayConfig> configs, EventStore store, GatewayMetrics metrics, InstantSource clock) {
        this.configs = configs;
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
    }

    public EventStore store() {
        return store;
    }

    /**
     * A charge took a group's calls from {@code before} to {@code after}: {@code calls_exhausted} when it took the
     * last one, {@code calls_low} when it went below the threshold. Each request sees its own before and after (the
     * store charges atomically), so exactly one request crosses a given threshold; a refund that lifts the balance
     * back makes a second crossing with the same id, which the store drops.
     */
    public void charged(String tenant, String group, long before, long after) {
        EventsConfig config = configs.get().events();
        if (!config.enabled() || before <= after) {
            return;
        }
        Instant now = clock.instant();
        if (after == 0) {
            emit(new BillingEvent("calls_exhausted:" + tenant + ":" + group, EventType.CALLS_EXHAUSTED, tenant, group,
                    now, Map.of("calls_remaining", 0L)), true);
        }
        EventsConfig.Threshold threshold = config.lowCalls(group);
        if (!threshold.isShare()) {
            lowCalls(tenant, group, threshold, threshold.calls(), before, after, now);
            return;
        }
        lastGrant(tenant, group).thenAccept(grant ->
                lowCalls(tenant, group, threshold, threshold.resolve(grant), before, after, now));
    }

    private void lowCalls(String tenant, String group, EventsConfig.Threshold threshold, long calls, long before,
                          long after, Instant now) {
        if (before >= calls && after < calls) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("calls_remaining", after);
            data.put("threshold", calls);
            data.put("configured", threshold.toString());
            emit(new BillingEvent("calls_low:" + tenant + ":" + group + ":" + calls, EventType.CALLS_LOW, tenant, group,
                    now, data), true);
        }
    }

    /** The base of share thresholds: the last call grant, else the free lot of the config in force. */
    private CompletionStage<Long> lastGrant(String tenant, String group) {
        String key = tenant + "\u001f" + group;
        CachedGrant cached = lastGrants.get(key);
        long nowMillis = clock.millis();
        if (cached != null && nowMillis - cached.readAt() < GRANT_CACHE_MILLIS) {
            return CompletableFuture.completedFuture(cached.calls());
        }
        return store.lastGrantCalls(tenant, group).handle((found, error) -> {
            long calls = error == null && found.isPresent() ? found.getAsLong() : configs.get().defaults().freeCalls();
            if (error == null) {
                lastGrants.put(key, new CachedGrant(calls, nowMillis));
            }
            return calls;
        });
    }

    /** A tenant was created: its free lots get their expiry reminders. */
    public void tenantCreated(TenantView tenant) {
        if (enabled()) {
            tenant.groups().forEach((group, view) -> view.lots().forEach(lot -> scheduleLot(tenant.id(), group, lot)));
        }
    }

    public void statusChanged(String tenant, TenantView.Status status) {
        if (!enabled()) {
            return;
        }
        EventType type = status == TenantView.Status.SUSPENDED ? EventType.TENANT_SUSPENDED : EventType.TENANT_RESUMED;
        String wire = status.name().toLowerCase(java.util.Locale.ROOT);
        BillingEvent event = new BillingEvent(type.wire() + ":" + tenant, type, tenant, null, clock.instant(),
                Map.of("status", wire));
        track(() -> store.emitStatus(event, wire), type);
    }

    public void packGranted(String tenant, String group, Lot lot) {
        if (!enabled()) {
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("kind", "pack");
        data.put("order_id", lot.orderId());
        data.put("lot_id", lot.id());
        data.put("calls", lot.calls());
        data.put("expires_at", lot.expiresAt().toString());
        lastGrants.put(tenant + "\u001f" + group, new CachedGrant(lot.calls(), clock.millis()));
        BillingEvent event = grantEvent(tenant, group, lot.orderId(), data);
        track(() -> store.emitGrant(event, lot.calls()), EventType.GRANT_APPLIED);
        scheduleLot(tenant, group, lot);
    }

    public void qpsBought(String tenant, String group, QpsPurchase purchase) {
        if (!enabled()) {
            return;
        }
        Map<String, Object> data = purchaseData(purchase);
        data.put("kind", "qps");
        BillingEvent event = grantEvent(tenant, group, purchase.orderId(), data);
        track(() -> store.emitGrant(event, 0), EventType.GRANT_APPLIED);
        Instant due = purchase.endsAt().minus(configs.get().events().qpsEndNotice());
        schedule(due, new BillingEvent("qps_purchase_ending:" + tenant + ":" + group + ":" + purchase.id(),
                EventType.QPS_PURCHASE_ENDING, tenant, group, due, purchaseData(purchase)));
    }

    public void templatesGranted(String tenant, String group, String orderId, long slots) {
        if (enabled()) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("kind", "templates");
            data.put("order_id", orderId);
            data.put("slots", slots);
            BillingEvent event = grantEvent(tenant, group, orderId, data);
            track(() -> store.emitGrant(event, 0), EventType.GRANT_APPLIED);
        }
    }

    private BillingEvent grantEvent(String tenant, String group, String orderId, Map<String, Object> data) {
        return new BillingEvent("grant_applied:" + tenant + ":" + orderId, EventType.GRANT_APPLIED, tenant, group,
                clock.instant(), data);
    }

    private static Map<String, Object> purchaseData(QpsPurchase p) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("purchase_id", p.id());
        data.put("order_id", p.orderId());
        data.put("qps", (long) p.qps());
        data.put("starts_at", p.startsAt().toString());
        data.put("ends_at", p.endsAt().toString());
        return data;
    }

    /** {@code lot_expiring}, due {@code lot_expiry_notice} before the lot expires (at once when that is past). */
    private void scheduleLot(String tenant, String group, Lot lot) {
        if (!lot.usableAt(clock.instant())) {
            return;
        }
        Instant due = lot.expiresAt().minus(configs.get().events().lotExpiryNotice());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("lot_id", lot.id());
        data.put("source", lot.source().name().toLowerCase(java.util.Locale.ROOT));
        data.put("calls", lot.calls());
        data.put("expires_at", lot.expiresAt().toString());
        schedule(due, new BillingEvent("lot_expiring:" + tenant + ":" + group + ":" + lot.id(), EventType.LOT_EXPIRING,
                tenant, group, due, data));
    }

    private void schedule(Instant due, BillingEvent event) {
        track(() -> store.schedule(new Reminder(due, event)).thenApply(done -> false), event.type());
    }

    private void emit(BillingEvent event, boolean perGrant) {
        track(() -> perGrant ? store.emitForGrant(event) : store.emit(event), event.type());
    }

    /**
     * Records an event, retried a few times with backoff when the store fails (a crossing is noticed only once, by
     * the request that made it, so giving up at the first store error would lose it). Every emit is idempotent by
     * id, so a retry after a reply that was lost records nothing twice.
     */
    private void track(Supplier<CompletionStage<Boolean>> emit, EventType type) {
        attempt(emit, type, 0);
    }

    private void attempt(Supplier<CompletionStage<Boolean>> emit, EventType type, int retries) {
        emit.get().whenComplete((isNew, error) -> {
            if (error == null) {
                if (isNew) {
                    metrics.eventEmitted(type.wire());
                }
            } else if (retries < EMIT_RETRIES) {
                metrics.eventStoreError();
                CompletableFuture.delayedExecutor(1L << retries, TimeUnit.SECONDS)
                        .execute(() -> attempt(emit, type, retries + 1));
            } else {
                failed(error, type.wire());
            }
        });
    }

    private void failed(Throwable error, String what) {
        if (error != null) {
            metrics.eventStoreError();
            LOG.warn("billing events: could not record {}: {}", what, error.toString());
        }
    }

    private boolean enabled() {
        return configs.get().events().enabled();
    }
}
