package io.quotagate.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Every meter of the gateway, created in one place with the names of SPEC §6. Per-request meters are looked up
 * in nested maps keyed by their tags, so the hot path costs a few lookups (no allocation) and an atomic add.
 */
public final class GatewayMetrics {

    public static final String REQUESTS = "quotagate_requests";
    public static final String REQUEST_DURATION = "quotagate_request_duration";
    public static final String UPSTREAM_DURATION = "quotagate_upstream_duration";
    public static final String ADMISSION_DURATION = "quotagate_admission_duration";
    public static final String STORE_ERRORS = "quotagate_store_errors";
    public static final String REFUNDS = "quotagate_refunds";
    public static final String CONFIG_RELOADS = "quotagate_config_reloads";
    public static final String FORWARDED = "forwarded";
    /** Client quota reads ({@code GET /v1/quota}) by outcome: {@link #ANSWERED} or a rejection's wire code. */
    public static final String QUOTA_READS = "quotagate_quota_reads";
    public static final String ANSWERED = "answered";
    /** Billing events recorded (new ids only) by type. */
    public static final String EVENTS_EMITTED = "quotagate_events_emitted";
    /** Webhook delivery attempts by result: delivered, failed (retried later), parked (gave up). */
    public static final String EVENT_DELIVERIES = "quotagate_event_deliveries";
    /** Event store steps that failed (an event noticed then may be lost; a delivery step is retried). */
    public static final String EVENT_STORE_ERRORS = "quotagate_event_store_errors";
    public static final String EVENT_DELIVERED = "delivered";
    public static final String EVENT_FAILED = "failed";
    public static final String EVENT_PARKED = "parked";

    private final MeterRegistry registry;
    private final PrometheusMeterRegistry prometheus;
    private final boolean tenantLabel;
    /** group → outcome → tenant ("" without the tenant label) → counter; nested so a lookup allocates nothing. */
    private final ConcurrentMap<String, ConcurrentMap<String, ConcurrentMap<String, Counter>>> requests =
            new ConcurrentHashMap<>();
    private final Timer requestDuration;
    private final Timer upstreamDuration;
    private final Timer admissionDuration;
    private final Counter storeErrors;
    private final Counter refunds;

    public GatewayMetrics(boolean tenantLabel) {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), tenantLabel);
    }

    private GatewayMetrics(PrometheusMeterRegistry prometheus, boolean tenantLabel) {
        this.prometheus = prometheus;
        this.registry = prometheus;
        this.tenantLabel = tenantLabel;
        this.requestDuration = histogram(REQUEST_DURATION, "Time from request head to the end of the response");
        this.upstreamDuration = histogram(UPSTREAM_DURATION, "Time from forwarding to the upstream's response head");
        this.admissionDuration = histogram(ADMISSION_DURATION, "Time to decide admission, store round trip included");
        this.storeErrors = Counter.builder(STORE_ERRORS).description("Quota store calls that failed or timed out").register(registry);
        this.refunds = Counter.builder(REFUNDS).description("Charged calls refunded after an upstream failure").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        // The allocator every channel uses: its memory in use is how a buffer leak shows in production.
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
    }

    private Timer histogram(String name, String description) {
        return Timer.builder(name).description(description).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000)).maximumExpectedValue(Duration.ofSeconds(300))
                .register(registry);
    }

    /** Counts one finished request; {@code outcome} is {@link #FORWARDED} or a rejection's wire code. */
    public void request(String group, String outcome, String tenant) {
        requestCounter(group, outcome, tenant).increment();
    }

    /**
     * A counter of finished requests for one client connection, which remembers the last counter it used: a
     * keep-alive connection mostly repeats one group, outcome and tenant, and three map lookups per request cost
     * more than the increment. Not thread-safe: one connection's event loop uses it.
     */
    public final class ConnectionRequests {
        private String group;
        private String outcome;
        private String tenant;
        private Counter counter;

        public void count(String group, String outcome, String tenant) {
            if (counter == null || !Objects.equals(group, this.group) || !outcome.equals(this.outcome)
                    || !Objects.equals(tenant, this.tenant)) {
                this.counter = requestCounter(group, outcome, tenant);
                this.group = group;
                this.outcome = outcome;
                this.tenant = tenant;
            }
            counter.increment();
        }
    }

    public ConnectionRequests connectionRequests() {
        return new ConnectionRequests();
    }

    private Counter requestCounter(String group, String outcome, String tenant) {
        String g = group == null ? "" : group;
        String t = tenantLabel && tenant != null ? tenant : "";
        // get() first: computeIfAbsent with a capturing lambda would allocate on every call.
        ConcurrentMap<String, ConcurrentMap<String, Counter>> byOutcome = requests.get(g);
        if (byOutcome == null) {
            byOutcome = requests.computeIfAbsent(g, k -> new ConcurrentHashMap<>());
        }
        ConcurrentMap<String, Counter> byTenant = byOutcome.get(outcome);
        if (byTenant == null) {
            byTenant = byOutcome.computeIfAbsent(outcome, k -> new ConcurrentHashMap<>());
        }
        Counter counter = byTenant.get(t);
        if (counter == null) {
            counter = byTenant.computeIfAbsent(t, k -> newRequestCounter(g, outcome, k));
        }
        return counter;
    }

    private Counter newRequestCounter(String group, String outcome, String tenant) {
        Counter.Builder builder = Counter.builder(REQUESTS).description("Requests by group and outcome")
                .tag("group", group).tag("outcome", outcome);
        if (tenantLabel) {
            builder.tag("tenant", tenant);
        }
        return builder.register(registry);
    }

    public void requestDuration(long nanos) {
        requestDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void upstreamDuration(long nanos) {
        upstreamDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void admissionDuration(long nanos) {
        admissionDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void storeError() {
        storeErrors.increment();
    }

    public void refund() {
        refunds.increment();
    }

    /** Counts one quota read; {@code outcome} is {@link #ANSWERED} or a rejection's wire code (a handful of values). */
    public void quotaRead(String outcome) {
        Counter.builder(QUOTA_READS).description("Client quota reads by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }

    public void eventEmitted(String type) {
        Counter.builder(EVENTS_EMITTED).description("Billing events recorded, by type")
                .tag("type", type).register(registry).increment();
    }

    /** {@code result}: {@link #EVENT_DELIVERED}, {@link #EVENT_FAILED} or {@link #EVENT_PARKED}. */
    public void eventDelivery(String result) {
        Counter.builder(EVENT_DELIVERIES).description("Billing event webhook attempts, by result")
                .tag("result", result).register(registry).increment();
    }

    public void eventStoreError() {
        Counter.builder(EVENT_STORE_ERRORS).description("Billing event store steps that failed").register(registry)
                .increment();
    }

    public void configReload(boolean success) {
        Counter.builder(CONFIG_RELOADS).description("Config reloads by result")
                .tag("result", success ? "success" : "failure").register(registry).increment();
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter, for {@code GET /metrics}. */
    public String scrape() {
        return prometheus.scrape();
    }
}
