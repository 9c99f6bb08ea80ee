package io.quotagate.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.prometheus.metrics.core.metrics.Info;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Every meter of the gateway, created in one place with the names of SPEC §6 and docs/observability.md. Counters
 * whose label values are known (reload results, store error kinds, each configured group's outcomes) exist at 0
 * from the start, so {@code rate()} and absence alerts work before the first event. Per-request meters are looked up
 * in maps keyed by their tags, so the hot path costs a few lookups (no allocation) and an atomic add.
 */
public final class GatewayMetrics {

    public static final String REQUESTS = "quotagate_requests";
    public static final String REQUEST_DURATION = "quotagate_request_duration";
    public static final String UPSTREAM_DURATION = "quotagate_upstream_duration";
    public static final String ADMISSION_DURATION = "quotagate_admission_duration";
    public static final String ADDED_DURATION = "quotagate_added_duration";
    public static final String STORE_ERRORS = "quotagate_store_errors";
    public static final String STORE_CALL_DURATION = "quotagate_store_call_duration";
    public static final String STORE_CALLS_IN_FLIGHT = "quotagate_store_calls_in_flight";
    public static final String STORE_REQUESTS_PER_CALL = "quotagate_store_requests_per_call";
    public static final String STORE_TIMEOUTS = "quotagate_store_timeouts";
    public static final String STORE_RESENDS = "quotagate_store_resends";
    public static final String STORE_RETRY_PENDING = "quotagate_store_retry_pending";
    public static final String REFUNDS = "quotagate_refunds";
    public static final String CALLS_CHARGED = "quotagate_calls_charged";
    public static final String CALLS_CHARGED_FREE = "quotagate_calls_charged_free";
    public static final String CALLS_REFUNDED = "quotagate_calls_refunded";
    public static final String FAIL_OPEN_ADMISSIONS = "quotagate_fail_open_admissions";
    /** Requests refused 429 by a replica's own share of the QPS limit while failing open. */
    public static final String FAIL_OPEN_LIMITED = "quotagate_fail_open_limited";
    /** Uncharged (fail-open) admissions written to the ledger, and those counted and not written yet. */
    public static final String UNCHARGED_WRITTEN = "quotagate_uncharged_admissions_written";
    public static final String UNCHARGED_PENDING = "quotagate_uncharged_admissions_pending";
    /** Replicas live at a replica's last heartbeat: the divisor of its fail-open share. */
    public static final String REPLICAS_LIVE = "quotagate_replicas_live";
    public static final String GRANTS = "quotagate_grants";
    public static final String TENANTS_LOW_ON_CALLS = "quotagate_tenants_low_on_calls";
    public static final String CONFIG_RELOADS = "quotagate_config_reloads";
    /** An info metric: exposed as {@code quotagate_config_info{sha256}} (the suffix is the exposition's). */
    public static final String CONFIG_INFO = "quotagate_config";
    public static final String ACCESS_LOG_DROPPED = "quotagate_access_log_dropped";
    public static final String ADMIN_REFUSED = "quotagate_admin_refused";
    public static final String AUDIT_LOG_DROPPED = "quotagate_audit_log_dropped";
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

    /** The {@code kind} of a store error. */
    public enum StoreErrorKind {
        /** No answer within the store timeout (resends included). */
        TIMEOUT,
        /** No connection to the store. */
        CONNECTION,
        /** Anything else (an error reply, a script failure). */
        OTHER;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /**
         * Classifies a store failure by its causes' types, by name, so this package needs no client library:
         * a {@code *Timeout*} type is a timeout, a {@code *Connect*} type (or {@code java.net}'s) a connection failure.
         */
        public static StoreErrorKind of(Throwable error) {
            for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
                String type = t.getClass().getName();
                if (t instanceof java.util.concurrent.TimeoutException || type.contains("Timeout")) {
                    return TIMEOUT;
                }
                if (t instanceof java.net.ConnectException || type.contains("Connect")) {
                    return CONNECTION;
                }
            }
            return OTHER;
        }
    }

    /** The reasons counted by {@link #adminRefused}. */
    public static final List<String> ADMIN_REFUSALS = List.of("unauthorized", "throttled");

    /** The grant kinds counted by {@link #granted}. */
    public static final List<String> GRANT_KINDS = List.of("pack", "qps", "templates");

    private final MeterRegistry registry;
    private final PrometheusMeterRegistry prometheus;
    private final RequestCounters requests;
    private final Timer requestDuration;
    private final Timer upstreamDuration;
    private final Timer admissionDuration;
    private final Timer addedDuration;
    private final LabeledCounters storeErrors;
    private final ConcurrentMap<String, Timer> storeCallDurations = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, DistributionSummary> requestsPerCall = new ConcurrentHashMap<>();
    private final AtomicInteger storeCallsInFlight = new AtomicInteger();
    private final Counter storeTimeouts;
    private final Counter storeResends;
    private final LabeledCounters refunds;
    private final LabeledCounters callsCharged;
    private final LabeledCounters callsChargedFree;
    private final LabeledCounters callsRefunded;
    private final LabeledCounters failOpen;
    private final LabeledCounters failOpenLimited;
    private final LabeledCounters unchargedWritten;
    private final LabeledCounters grants;
    private final LabeledCounters configReloads;
    /** group → tenants low on calls; a gauge per group, registered once (a re-registered gauge would be a duplicate). */
    private final ConcurrentMap<String, AtomicLong> tenantsLowOnCalls = new ConcurrentHashMap<>();
    private final Info configInfo;
    private final Counter accessLogDropped;
    private final LabeledCounters adminRefused;
    private final Counter auditLogDropped;

    public GatewayMetrics(boolean tenantLabel) {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), tenantLabel);
    }

    private GatewayMetrics(PrometheusMeterRegistry prometheus, boolean tenantLabel) {
        this.prometheus = prometheus;
        this.registry = prometheus;
        exportable(registry);
        this.requests = new RequestCounters(registry, REQUESTS, tenantLabel);
        this.requestDuration = histogram(REQUEST_DURATION, "Time from request head to the end of the response", Buckets.REQUEST);
        this.upstreamDuration = histogram(UPSTREAM_DURATION, "Time from forwarding to the upstream's response head", Buckets.UPSTREAM);
        this.admissionDuration = histogram(ADMISSION_DURATION, "Time to decide admission, store round trip included",
                Buckets.SUB_MILLISECOND);
        this.addedDuration = histogram(ADDED_DURATION, "Time the gateway adds before forwarding (admission, upstream "
                + "connection) or before answering a rejection", Buckets.SUB_MILLISECOND);
        this.storeErrors = new LabeledCounters(registry, STORE_ERRORS, "Quota store calls that failed or timed out, by kind",
                "kind").register(List.of(StoreErrorKind.TIMEOUT.wire(), StoreErrorKind.CONNECTION.wire(), StoreErrorKind.OTHER.wire()));
        Gauge.builder(STORE_CALLS_IN_FLIGHT, storeCallsInFlight, AtomicInteger::get)
                .description("Store calls sent and not answered yet").register(registry);
        this.storeTimeouts = Counter.builder(STORE_TIMEOUTS).description("Store commands that timed out (each attempt)")
                .register(registry);
        this.storeResends = Counter.builder(STORE_RESENDS).description("Store commands sent again after a timeout or a "
                + "reconnect").register(registry);
        this.refunds = groupCounter(REFUNDS, "Charged requests refunded after an upstream failure");
        this.callsCharged = groupCounter(CALLS_CHARGED, "Calls charged to packs at admission");
        this.callsChargedFree = groupCounter(CALLS_CHARGED_FREE, "Calls charged from the free pack (part of calls_charged)");
        this.callsRefunded = groupCounter(CALLS_REFUNDED, "Calls given back to their pack after an upstream failure");
        this.failOpen = groupCounter(FAIL_OPEN_ADMISSIONS, "Requests forwarded uncharged while the store was unavailable "
                + "(on_error: allow), to settle later");
        this.failOpenLimited = groupCounter(FAIL_OPEN_LIMITED, "Requests refused 429 by this replica's share of the "
                + "tenant's QPS limit while the store was unavailable (on_error: allow)");
        this.unchargedWritten = groupCounter(UNCHARGED_WRITTEN, "Fail-open admissions of this replica written to the "
                + "tenants' ledgers after the store came back");
        this.grants = new LabeledCounters(registry, GRANTS, "Grants applied through the admin API, by kind", "kind")
                .register(GRANT_KINDS);
        this.configReloads = new LabeledCounters(registry, CONFIG_RELOADS, "Config reloads by result", "result")
                .register(List.of("success", "failure"));
        this.configInfo = Info.builder().name(CONFIG_INFO).help("The config in force: its sha256 (always 1)")
                .labelNames("sha256").register(prometheus.getPrometheusRegistry());
        this.accessLogDropped = Counter.builder(ACCESS_LOG_DROPPED)
                .description("Access log lines dropped because the writer fell behind").register(registry);
        this.adminRefused = new LabeledCounters(registry, ADMIN_REFUSED, "Admin calls refused before routing: a wrong or "
                + "missing token (unauthorized), or an address in its cool-down after too many of those (throttled)",
                "reason").register(ADMIN_REFUSALS);
        this.auditLogDropped = Counter.builder(AUDIT_LOG_DROPPED)
                .description("Audit log entries dropped because the writer fell behind").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        // The allocator every channel uses: its memory in use is how a buffer leak shows in production.
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
    }

    /**
     * Keeps the exposition clean for {@code promtool check metrics}: binders' meters without a description get one
     * from their name, and two that break Prometheus's naming rules are left out ({@code process_cpu_time_ns_total}
     * names a unit by abbreviation; {@code system_cpu_count} is a gauge named like a count; the core count is known).
     * Must run before any meter is registered.
     */
    private static void exportable(MeterRegistry registry) {
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
                || id.getName().equals("system.cpu.count")));
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String description = id.getDescription();
                if (description != null && !description.isBlank()) {
                    return id;
                }
                return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(),
                        id.getName().replace('.', ' '), id.getType());
            }
        });
    }

    private Timer histogram(String name, String description, Duration[] buckets) {
        return Timer.builder(name).description(description).serviceLevelObjectives(buckets).register(registry);
    }

    private LabeledCounters groupCounter(String name, String description) {
        return new LabeledCounters(registry, name, description, "group");
    }

    /**
     * Makes every per-group series exist at 0 for these groups: {@code quotagate_requests_total} of
     * {@link #FORWARDED} and each of {@code outcomes} (without a tenant), refunds, charges and fail-open admissions;
     * and the requests of {@code ungroupedOutcomes} under the group {@code ""} (rejected before a route matched).
     * Called at start and after each reload.
     */
    public void registerGroups(Collection<String> groups, Collection<String> outcomes, Collection<String> ungroupedOutcomes) {
        requests.register(groups, List.of(FORWARDED));
        requests.register(groups, outcomes);
        requests.register(List.of(""), ungroupedOutcomes);
        for (LabeledCounters counters : List.of(refunds, callsCharged, callsChargedFree, callsRefunded, failOpen, failOpenLimited,
                unchargedWritten)) {
            counters.register(groups);
        }
    }

    // ---- requests (the proxy) ----

    /** Counts one finished request; {@code outcome} is {@link #FORWARDED} or a rejection's wire code. */
    public void request(String group, String outcome, String tenant) {
        requests.counter(group, outcome, tenant).increment();
    }

    /** A per-connection cache of the last request counter; see {@link RequestCounters.Cached}. */
    public RequestCounters.Cached connectionRequests() {
        return requests.cached();
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

    /** The proxy: head received to forwarded (admitted) or to the rejection written. */
    public void addedDuration(long nanos) {
        addedDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    // ---- money flow (admission; grants from the admin API) ----

    /** QuotaAdmission, when the store admitted a request and charged {@code calls} (> 0) to the tenant's packs. */
    public void charged(String group, long calls) {
        callsCharged.increment(group, calls);
    }

    /**
     * The store code, for the part of a charge taken from the free pack (rule 2); also counted by {@link #charged}.
     * Not called yet: the store's admit result does not say which lot paid.
     */
    public void chargedFree(String group, long calls) {
        callsChargedFree.increment(group, calls);
    }

    /** QuotaAdmission, when it settles a charged request as refunded (rule 9): one refund of {@code calls}. */
    public void refunded(String group, long calls) {
        refunds.increment(group, 1);
        callsRefunded.increment(group, calls);
    }

    /** QuotaAdmission, when the store failed and {@code on_error: allow} forwarded the request uncharged. */
    public void failOpen(String group) {
        failOpen.increment(group, 1);
    }

    /** FailOpen, when a request over this replica's share of the QPS limit was refused while failing open. */
    public void failOpenLimited(String group) {
        failOpenLimited.increment(group, 1);
    }

    /** FailOpenUpkeep, when an entry of {@code requests} uncharged admissions reached the ledger. */
    public void unchargedWritten(String group, long requests) {
        unchargedWritten.increment(group, requests);
    }

    /** FailOpenUpkeep, once: uncharged admissions counted and not yet in the ledger. */
    public void unchargedPending(Supplier<Number> unwritten) {
        Gauge.builder(UNCHARGED_PENDING, unwritten).description("Fail-open admissions counted by this replica and not "
                + "yet written to the ledger (the store has not come back, or the write is being retried)")
                .strongReference(true).register(registry);
    }

    /** FailOpenUpkeep, once: replicas live at this replica's last heartbeat. */
    public void liveReplicas(Supplier<Number> live) {
        Gauge.builder(REPLICAS_LIVE, live).description("Replicas live at this replica's last heartbeat; while the "
                + "store is unavailable each takes this share of a tenant's QPS limit").strongReference(true)
                .register(registry);
    }

    /** The admin API, after a grant applied (not for a replay of the same order). */
    public void granted(String kind) {
        grants.increment(kind, 1);
    }

    // ---- the store ----

    /** QuotaAdmission, when a store call failed (a request answered 503, or forwarded fail-open). */
    public void storeError(Throwable error) {
        storeErrors.increment(StoreErrorKind.of(error).wire(), 1);
    }

    /**
     * The store code, before it sends one call (a script, a pipeline of a batch); returns the start time to give
     * to {@link #storeCallEnded}. Counts the call in flight until then.
     */
    public long storeCallStarted() {
        storeCallsInFlight.incrementAndGet();
        return System.nanoTime();
    }

    /**
     * The store code, when a call started by {@link #storeCallStarted} was answered or failed.
     *
     * @param op       what the call did: {@code admit}, {@code settle}, {@code cancel} or {@code admin}
     * @param requests how many requests the call decided (1 without batching)
     */
    public void storeCallEnded(String op, long startedNanos, int requests) {
        storeCallsInFlight.decrementAndGet();
        Timer timer = storeCallDurations.get(op);
        if (timer == null) {
            timer = storeCallDurations.computeIfAbsent(op, k -> Timer.builder(STORE_CALL_DURATION)
                    .description("Store round trips by operation").tag("op", k)
                    .serviceLevelObjectives(Buckets.STORE).register(registry));
        }
        timer.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
        DistributionSummary perCall = requestsPerCall.get(op);
        if (perCall == null) {
            perCall = requestsPerCall.computeIfAbsent(op, k -> DistributionSummary.builder(STORE_REQUESTS_PER_CALL)
                    .description("Requests decided by one store call").tag("op", k)
                    .serviceLevelObjectives(Buckets.REQUESTS_PER_CALL).register(registry));
        }
        perCall.record(requests);
    }

    /** The store code, when a command attempt timed out (each attempt, a resend may follow). */
    public void storeTimeout() {
        storeTimeouts.increment();
    }

    /** The store code, when a command was sent again (after a timeout or a reconnect). */
    public void storeResend() {
        storeResends.increment();
    }

    /** The composition root: the steps waiting in the retry queue ({@code StoreRetries::pending}). */
    public void storeRetryQueue(Supplier<Number> pending) {
        Gauge.builder(STORE_RETRY_PENDING, pending).description("Store steps (settlements, cancels) waiting for a retry")
                .strongReference(true).register(registry);
    }

    // ---- tenants, config, access log ----

    /** The periodic count of tenants low on calls: group → tenants; a group counted before and left out reads 0. */
    public void tenantsLowOnCalls(Map<String, Long> byGroup) {
        tenantsLowOnCalls.forEach((group, count) -> count.set(byGroup.getOrDefault(group, 0L)));
        byGroup.forEach((group, count) -> tenantsLowOnCalls.computeIfAbsent(group, g -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(TENANTS_LOW_ON_CALLS, value, AtomicLong::get).tag("group", g)
                    .description("Count-mode tenants with fewer usable calls than metrics.low_calls.threshold, by group")
                    .register(registry);
            return value;
        }).set(count));
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
        configReloads.increment(success ? "success" : "failure", 1);
    }

    /** The config now in force, by its content hash. */
    public void configInForce(String sha256) {
        configInfo.setLabelValues(Objects.requireNonNull(sha256)); // replaces the previous hash
    }

    /** The access log, when its queue was full and a line was dropped. */
    public void accessLogDropped() {
        accessLogDropped.increment();
    }

    /** An admin call refused before routing; {@code reason} is one of {@link #ADMIN_REFUSALS}. */
    public void adminRefused(String reason) {
        adminRefused.increment(reason, 1);
    }

    /** The audit log, when its queue was full and an entry was dropped. */
    public void auditLogDropped() {
        auditLogDropped.increment();
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter, for {@code GET /metrics}. */
    public String scrape() {
        return prometheus.scrape();
    }
}
