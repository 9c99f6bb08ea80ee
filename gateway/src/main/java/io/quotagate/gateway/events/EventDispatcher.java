package io.quotagate.gateway.events;

import io.quotagate.gateway.config.EventsConfig;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.store.Lot;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.TenantView;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery worker of one replica, on a thread of its own (never an event loop, so it may wait for the store
 * and the receiver). Each tick it turns due reminders into events and then claims due events one at a time from
 * the shared outbox and POSTs each, signed, to {@code events.webhook_url}: a 2xx marks it delivered, anything else
 * schedules the next attempt with exponential backoff, and after {@code max_attempts} it is parked as failed. A
 * claim is a lease: if this replica dies mid-delivery, another one claims the event when the lease ends, so
 * delivery is at least once and a receiver deduplicates by the event id.
 */
public final class EventDispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);
    private static final int BATCH = 20;
    /** A claimed reminder is due again after this if the replica died before handling it. */
    private static final Duration REMINDER_LEASE = Duration.ofMinutes(1);
    private static final long WAIT_SECONDS = 10;

    private final Supplier<GatewayConfig> configs;
    private final EventStore events;
    private final QuotaStore quotas;
    private final GatewayMetrics metrics;
    private final InstantSource clock;
    private final Duration pollInterval;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "quotagate-events");
        t.setDaemon(true);
        return t;
    });

    public EventDispatcher(Supplier<GatewayConfig> configs, EventStore events, QuotaStore quotas, GatewayMetrics metrics,
                           InstantSource clock, Duration pollInterval) {
        this.configs = configs;
        this.events = events;
        this.quotas = quotas;
        this.metrics = metrics;
        this.clock = clock;
        this.pollInterval = pollInterval;
    }

    public EventDispatcher start() {
        worker.scheduleWithFixedDelay(this::tick, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** One pass; failures are logged and retried at the next tick (everything it does is idempotent). */
    void tick() {
        EventsConfig config = configs.get().events();
        if (!config.enabled()) {
            return;
        }
        try {
            for (Reminder reminder : await(events.claimReminders(clock.instant(), REMINDER_LEASE, BATCH))) {
                remind(reminder);
            }
            for (int i = 0; i < BATCH; i++) {
                Optional<EventRecord> claimed = await(events.claim(clock.instant(), config.timeout().plusSeconds(30)));
                if (claimed.isEmpty()) {
                    break;
                }
                deliver(config, claimed.get());
            }
        } catch (RuntimeException e) {
            metrics.eventStoreError();
            LOG.warn("billing events: store step failed, retrying at the next tick: {}", e.toString());
        }
    }

    /** A reminder is emitted only if it still applies when due: a lot used up or already expired needs no notice. */
    private void remind(Reminder reminder) {
        BillingEvent event = reminder.event();
        Instant now = clock.instant();
        Map<String, Object> data = new LinkedHashMap<>(event.data());
        if (event.type() == EventType.LOT_EXPIRING) {
            Optional<Lot> lot = await(quotas.tenant(event.tenant())).map(t -> t.groups().get(event.group()))
                    .flatMap(g -> find(g, (String) event.data().get("lot_id")));
            if (lot.isEmpty() || !lot.get().usableAt(now)) {
                await(events.reminderDone(reminder.id()));
                return;
            }
            data.put("calls_remaining", lot.get().remaining());
        }
        if (await(events.emit(new BillingEvent(event.id(), event.type(), event.tenant(), event.group(), now, data)))) {
            metrics.eventEmitted(event.type().wire());
        }
        await(events.reminderDone(reminder.id()));
    }

    private static Optional<Lot> find(TenantView.GroupView group, String lotId) {
        return group == null ? Optional.empty() : group.lots().stream().filter(l -> l.id().equals(lotId)).findFirst();
    }

    private void deliver(EventsConfig config, EventRecord record) {
        String id = record.event().id();
        String body = EventJson.write(record.event());
        long timestamp = clock.instant().getEpochSecond();
        String error;
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(config.webhookUrl())
                    .timeout(config.timeout())
                    .header("Content-Type", "application/json")
                    .header(WebhookSignature.EVENT_ID_HEADER, id)
                    .header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
                    .header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(config.secret(), timestamp, body))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                await(events.delivered(id, clock.instant()));
                metrics.eventDelivery(GatewayMetrics.EVENT_DELIVERED);
                return;
            }
            error = "status " + response.statusCode();
        } catch (java.io.IOException e) {
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // stopping: the lease ends and another attempt follows
        }
        boolean parked = record.attempts() >= config.maxAttempts();
        await(events.failed(id, error, parked ? null : clock.instant().plus(backoff(config, record.attempts()))));
        metrics.eventDelivery(parked ? GatewayMetrics.EVENT_PARKED : GatewayMetrics.EVENT_FAILED);
        LOG.info("billing event {} attempt {} failed ({}){}", id, record.attempts(), error, parked ? ": parked" : "");
    }

    /** {@code retry_initial} doubled per failed attempt so far, at most {@code retry_max}. */
    static Duration backoff(EventsConfig config, int attempts) {
        Duration wait = config.retryInitial();
        for (int i = 1; i < attempts && wait.compareTo(config.retryMax()) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(config.retryMax()) > 0 ? config.retryMax() : wait;
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException(e.getCause() != null ? e.getCause() : e);
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
