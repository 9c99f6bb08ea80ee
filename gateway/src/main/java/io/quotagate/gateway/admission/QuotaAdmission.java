package io.quotagate.gateway.admission;

import io.quotagate.gateway.config.Defaults;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.config.GroupConfig;
import io.quotagate.gateway.config.GroupOverride;
import io.quotagate.gateway.config.OnError;
import io.quotagate.gateway.config.RouteConfig;
import io.quotagate.gateway.config.RouteConfig.TemplateAction;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.route.RouteMatch;
import io.quotagate.gateway.route.ConfigHolder;
import io.quotagate.gateway.store.Activation;
import io.quotagate.gateway.store.AdmitCommand;
import io.quotagate.gateway.store.AdmitResult;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.SettleCommand;
import io.quotagate.gateway.store.StoreUnavailableException;
import io.quotagate.gateway.store.TemplateUse;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission service: matches the route, reads the key, asks the store for one atomic decision and turns
 * the store's answer (or its failure) into a {@link Decision}; after the upstream answered, settles refunds and
 * template slots. Config is read once per request, so a reload applies from the next request on.
 */
public final class QuotaAdmission implements Admission {

    private static final Logger LOG = LoggerFactory.getLogger(QuotaAdmission.class);
    /** How long after a store failure a client should retry. */
    private static final long STORE_RETRY_AFTER_SECONDS = 1;
    /** Settlement can come this long after the response timeout (slow client, queued retries). */
    private static final long RETENTION_MARGIN_MS = 60_000;

    private final Supplier<ConfigHolder.Active> configs;
    private final QuotaStore store;
    private final RequestIds requestIds;
    private final StoreRetries retries;
    private final GatewayMetrics metrics;
    private final InstantSource clock;
    private final RecentKeys recentKeys = new RecentKeys(600_000, 100_000);
    /** What groups with {@code on_error: allow} do while the store is unreachable. */
    private final FailOpen failOpen;
    /** Store calls each event loop may have out at once; 0: no coalescing, one store call per request. */
    private final int maxStoreCallsInFlight;
    private final boolean coalesce;
    private final AdmitCoalescer.Observer coalescerObserver;
    private final ThreadLocal<AdmitCoalescer> coalescers = new ThreadLocal<>();
    /** Denials repeated without a store call; null when the store cannot tell us about changes. */
    private final KnownDenials knownDenials;

    /** Admission without coalescing: one store call per request (the memory store answers at once anyway). */
    public QuotaAdmission(Supplier<ConfigHolder.Active> configs, QuotaStore store, RequestIds requestIds, StoreRetries retries,
                          GatewayMetrics metrics, InstantSource clock) {
        this(configs, store, requestIds, retries, metrics, clock, 0);
    }

    /** As below, failing open on this replica alone (one replica live, as before any heartbeat). */
    public QuotaAdmission(Supplier<ConfigHolder.Active> configs, QuotaStore store, RequestIds requestIds, StoreRetries retries,
                          GatewayMetrics metrics, InstantSource clock, int maxStoreCallsInFlight) {
        this(configs, store, requestIds, retries, metrics, clock, maxStoreCallsInFlight,
                new FailOpen(requestIds.replicaId(), metrics, clock));
    }

    /**
     * @param maxStoreCallsInFlight when positive, the admits of one event loop pass are sent together
     *                              ({@link AdmitCoalescer}), with at most this many store calls out per loop
     * @param failOpen              this replica's fail-open state, shared with its {@link FailOpenUpkeep}
     */
    public QuotaAdmission(Supplier<ConfigHolder.Active> configs, QuotaStore store, RequestIds requestIds, StoreRetries retries,
                          GatewayMetrics metrics, InstantSource clock, int maxStoreCallsInFlight, FailOpen failOpen) {
        this.failOpen = failOpen;
        this.maxStoreCallsInFlight = maxStoreCallsInFlight;
        this.coalesce = maxStoreCallsInFlight > 0;
        this.coalescerObserver = new AdmitCoalescer.Observer() {
            @Override
            public long callStarted() {
                return metrics.storeCallStarted();
            }

            @Override
            public void callEnded(long started, int requests) {
                metrics.storeCallEnded("admit", started, requests);
            }
        };
        KnownDenials denials = new KnownDenials();
        this.knownDenials = coalesce && store.subscribeToChanges(denials::changed) ? denials : null;
        this.configs = configs;
        this.store = store;
        this.requestIds = requestIds;
        this.retries = retries;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public CompletionStage<Decision> admit(AdmissionRequest request) {
        return admit(request, null);
    }

    @Override
    public CompletionStage<Decision> admit(AdmissionRequest request, Executor loop) {
        ConfigHolder.Active current = configs.get();
        Optional<RouteMatch> found = current.routes().match(request.method(), request.path());
        if (found.isEmpty()) {
            return CompletableFuture.completedFuture(Decision.Rejected.of(RejectionCode.ROUTE_NOT_FOUND));
        }
        RouteMatch route = found.get();
        if (request.apiKey() == null || request.apiKey().isEmpty()) {
            return CompletableFuture.completedFuture(rejected(RejectionCode.MISSING_API_KEY, route, null, null, 0));
        }
        String tenant = ApiKeys.tenantOf(request.apiKey());
        if (tenant == null) {
            return CompletableFuture.completedFuture(rejected(RejectionCode.INVALID_API_KEY, route, null, null, 0));
        }
        AdmitCommand command = command(current.config(), route, tenant, ApiKeys.digest(request.apiKey()));
        OnError onError = route.group().effectiveOnError(current.config().store());
        long started = System.nanoTime();
        long epoch = 0;
        if (knownDenials != null) {
            AdmitResult.Denied known = knownDenials.lookup(command, started);
            if (known != null) {
                return CompletableFuture.completedFuture(decide(route, command, known, onError));
            }
            epoch = knownDenials.epoch();
        }
        CompletableFuture<AdmitResult> admitted = loop != null && coalesce
                ? coalescer(loop).admit(command) : store.admit(command).toCompletableFuture();
        if (admitted.isDone() && !admitted.isCompletedExceptionally()) {
            // The memory store answers at once: skip the continuation and its allocations.
            metrics.admissionDuration(System.nanoTime() - started);
            return CompletableFuture.completedFuture(decide(route, command, admitted.getNow(null), onError));
        }
        long sentEpoch = epoch;
        return admitted.handle((result, error) -> {
            metrics.admissionDuration(System.nanoTime() - started);
            if (error != null) {
                return storeFailed(route, command, onError, error);
            }
            if (knownDenials != null) {
                knownDenials.remember(command, result, started, sentEpoch);
            }
            return decide(route, command, result, onError);
        });
    }

    /** This loop's coalescer; admit runs on the loop's own thread, so a thread-local finds it. */
    private AdmitCoalescer coalescer(Executor loop) {
        AdmitCoalescer c = coalescers.get();
        if (c == null || !c.servesCurrentThread(loop)) {
            c = new AdmitCoalescer(loop, store, maxStoreCallsInFlight, coalescerObserver);
            coalescers.set(c);
        }
        return c;
    }

    private AdmitCommand command(GatewayConfig config, RouteMatch match, String tenant, String digest) {
        GroupConfig group = match.group();
        RouteConfig route = match.route();
        GroupOverride override = config.override(tenant, group.name());
        Defaults defaults = config.defaults();
        Instant now = clock.instant();
        long freeValidity = defaults.freePackValidity().addTo(now).toEpochMilli() - now.toEpochMilli();
        long retention = config.upstream().connectTimeout().toMillis() + config.upstream().responseTimeout().toMillis()
                + RETENTION_MARGIN_MS;
        return new AdmitCommand(requestIds.next(), tenant, digest, group.name(), route.cost(), route.qps(),
                templateUse(route.templates()), override.countModeQps(group), override.maxQps(group),
                new Activation(defaults.freeCalls(), freeValidity, defaults.freeTemplates()), retention);
    }

    private Decision decide(RouteMatch route, AdmitCommand command, AdmitResult result, OnError onError) {
        if (result instanceof AdmitResult.Admitted admitted) {
            if (onError == OnError.ALLOW) {
                recentKeys.admitted(command.keyDigest(), command.tenantId(), clock.millis());
                failOpen.remember(command, admitted);
            }
            // t=0 while the window has room (SPEC §3's example); otherwise the seconds until a slot frees.
            long reset = admitted.windowRemaining() > 0 ? 0 : seconds(admitted.resetMillis());
            RateLimitState state = new RateLimitState(route.route().qps() ? admitted.limit() : 0,
                    admitted.windowRemaining(), reset, admitted.callsRemaining());
            boolean settle = admitted.charged() > 0 || route.route().templates() != TemplateAction.NONE;
            metrics.charged(command.group(), admitted.charged());
            metrics.chargedFree(command.group(), admitted.chargedFree());
            return new Decision.Admitted(route, command.tenantId(), command.requestId(), state, settle, admitted.charged(),
                    admitted.receipt());
        }
        AdmitResult.Denied denied = (AdmitResult.Denied) result;
        RejectionCode code = switch (denied.reason()) {
            case INVALID_API_KEY -> RejectionCode.INVALID_API_KEY;
            case TENANT_SUSPENDED -> RejectionCode.TENANT_SUSPENDED;
            case QPS_EXCEEDED -> RejectionCode.QPS_EXCEEDED;
            case QPS_NOT_PURCHASED -> RejectionCode.QPS_NOT_PURCHASED;
            case CALLS_EXHAUSTED -> RejectionCode.CALLS_EXHAUSTED;
            case TEMPLATE_QUOTA_EXHAUSTED -> RejectionCode.TEMPLATE_QUOTA_EXHAUSTED;
            // Only a request this gateway already answered (and cancelled) can meet its own tombstone.
            case CANCELLED -> RejectionCode.QUOTA_STORE_UNAVAILABLE;
        };
        if (code == RejectionCode.INVALID_API_KEY || code == RejectionCode.TENANT_SUSPENDED) {
            recentKeys.denied(command.keyDigest());
            return rejected(code, route, null, null, 0);
        }
        long retryAfter = code == RejectionCode.QPS_EXCEEDED ? Math.max(1, seconds(denied.retryAfterMillis())) : 0;
        RateLimitState state = new RateLimitState(route.route().qps() ? denied.limit() : 0, denied.windowRemaining(),
                seconds(denied.retryAfterMillis()), denied.callsRemaining());
        return rejected(code, route, command.tenantId(), state, retryAfter);
    }

    private Decision storeFailed(RouteMatch route, AdmitCommand command, OnError onError, Throwable error) {
        metrics.storeError(error);
        LOG.debug("store failed for request {}: {}", command.requestId(), error.toString());
        // The admit may still apply later (a resent script in flight): void it whatever we answer now.
        String receipt = StoreUnavailableException.receiptOf(error, command.requestId());
        retries.submit("cancel " + command.requestId(),
                () -> store.cancel(command.tenantId(), command.group(), command.requestId(), receipt));
        if (onError == OnError.ALLOW
                && recentKeys.recentlyValid(command.keyDigest(), command.tenantId(), clock.millis())) {
            return failOpen.admit(route, command); // uncharged within this replica's share of the QPS limit, counted
        }
        return rejected(RejectionCode.QUOTA_STORE_UNAVAILABLE, route, command.tenantId(), null, STORE_RETRY_AFTER_SECONDS);
    }

    @Override
    public int settle(Decision.Admitted admitted, UpstreamOutcome outcome) {
        if (!admitted.needsSettlement()) {
            return 0;
        }
        boolean answered2xx = outcome.kind() == UpstreamOutcome.Kind.RESPONDED
                && outcome.status() >= 200 && outcome.status() < 300;
        boolean failed = switch (outcome.kind()) {
            case RESPONDED -> configs.get().config().defaults().refundOn().refunds(outcome.status());
            case TRANSPORT_ERROR, TIMEOUT, CLIENT_ABORTED_BEFORE_SEND -> true;
        };
        boolean refund = failed && admitted.charged() > 0;
        SettleCommand command = new SettleCommand(admitted.requestId(), admitted.tenantId(),
                admitted.route().group().name(), refund, answered2xx, templateUse(admitted.route().route().templates()),
                admitted.receipt());
        if (command.changesNothing()) {
            store.forget(command); // the common case: a 2xx on a charged route needs no second round trip
            return 0;
        }
        if (refund) {
            metrics.refunded(admitted.route().group().name(), admitted.charged());
        }
        retries.submit("settle " + admitted.requestId(), () -> store.settle(command));
        return refund ? admitted.charged() : 0;
    }

    private static TemplateUse templateUse(TemplateAction action) {
        return switch (action) {
            case NONE -> TemplateUse.NONE;
            case CREATE -> TemplateUse.CREATE;
            case DELETE -> TemplateUse.DELETE;
        };
    }

    private static Decision.Rejected rejected(RejectionCode code, RouteMatch route, String tenant, RateLimitState state,
                                              long retryAfterSeconds) {
        return new Decision.Rejected(code, code.defaultMessage(), state, retryAfterSeconds, route.group().name(), tenant);
    }

    private static long seconds(long millis) {
        return millis <= 0 ? 0 : (millis + 999) / 1000;
    }
}
