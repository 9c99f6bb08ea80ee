package io.quotagate.gateway;

import io.netty.channel.EventLoopGroup;
import io.quotagate.gateway.admin.AdminApi;
import io.quotagate.gateway.accesslog.AccessLog;
import io.quotagate.gateway.admin.AdminServer;
import io.quotagate.gateway.admission.Admission;
import io.quotagate.gateway.admission.FailOpen;
import io.quotagate.gateway.admission.FailOpenUpkeep;
import io.quotagate.gateway.admin.LowCalls;
import io.quotagate.gateway.admin.LowCallsGauge;
import io.quotagate.gateway.admin.ReplicaState;
import io.quotagate.gateway.admission.QuotaAdmission;
import io.quotagate.gateway.admission.RejectionCode;
import io.quotagate.gateway.admission.RequestIds;
import io.quotagate.gateway.admission.StoreRetries;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.config.StoreConfig;
import io.quotagate.gateway.events.BillingEvents;
import io.quotagate.gateway.events.EventDispatcher;
import io.quotagate.gateway.events.EventStore;
import io.quotagate.gateway.events.EventingAdmission;
import io.quotagate.gateway.events.MemoryEventStore;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.proxy.Transport;
import io.quotagate.gateway.quota.QuotaReads;
import io.quotagate.gateway.reload.ConfigReloader;
import io.quotagate.gateway.reload.ConfigWatcher;
import io.quotagate.gateway.reload.SignalReload;
import io.quotagate.gateway.route.ConfigHolder;
import io.quotagate.gateway.store.MemoryQuotaStore;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.redis.RedisPersistenceCheck;
import io.quotagate.gateway.store.redis.RedisEventStore;
import io.quotagate.gateway.store.redis.RedisQuotaStore;
import io.quotagate.gateway.store.redis.RedissonClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Composition root of one running replica: builds every part from the start-up config, starts them in order
 * (store and event store, admission with billing events, proxy with the quota endpoint, admin, status, the billing
 * event worker, reload) and stops them in reverse; a stopping replica reports itself draining on {@code /readyz}
 * first. Settings bound at start (ports, store, event
 * loops) come from the start-up config; everything a request reads comes from the {@link ConfigHolder}, which a
 * reload swaps.
 */
public final class Replica implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Replica.class);
    /** How long a stopping replica waits for its last settlements to reach the store (a few store timeouts). */
    private static final Duration SETTLEMENT_DRAIN = Duration.ofSeconds(5);
    /** How often the billing event worker looks for due events and reminders. */
    private static final Duration EVENT_POLL = Duration.ofMillis(200);

    private final GatewayConfig startup;
    private final ConfigHolder holder;
    private final GatewayMetrics metrics;
    private final Transport transport;
    private final EventLoopGroup workers;
    private final QuotaStore store;
    private final EventStore eventStore;
    private final BillingEvents events;
    private final StoreRetries retries;
    private final FailOpenUpkeep failOpen;
    private final Gateway gateway;
    private final ConfigReloader reloader;
    private final ReplicaState state;
    private final AccessLog accessLog;
    private AdminServer admin;
    private EventDispatcher dispatcher;
    private AdminServer status;
    private LowCallsGauge lowCalls;
    private ConfigWatcher watcher;
    private SignalReload sighup;

    private Replica(Path file, GatewayConfig startup) {
        this.startup = startup;
        this.holder = new ConfigHolder(startup);
        this.metrics = new GatewayMetrics(startup.metrics().tenantLabel());
        this.transport = Transport.best();
        this.workers = Gateway.newWorkerGroup(startup, transport);
        if (startup.store().type() == StoreConfig.Type.MEMORY) {
            LOG.warn("store.type is memory: balances live in this process only, are lost on restart and are not "
                    + "shared with other replicas; use store.type redis in production");
            this.store = new MemoryQuotaStore(InstantSource.system());
            this.eventStore = new MemoryEventStore();
        } else {
            RedissonClients.SharedLoops loops = new RedissonClients.SharedLoops(workers, "epoll".equals(transport.name()));
            RedissonClient redisson = RedissonClients.create(startup.store().redis(), loops);
            // Warns only: running without persistence is the operator's choice, so readiness is not affected.
            RedisPersistenceCheck.warnIfMoneyAtRisk(redisson);
            this.store = new RedisQuotaStore(redisson, true);
            this.eventStore = new RedisEventStore(redisson);
        }
        this.events = new BillingEvents(() -> holder.current().config(), eventStore, metrics, InstantSource.system());
        this.retries = new StoreRetries(100_000, Duration.ofHours(1));
        this.accessLog = openAccessLog(startup, metrics);
        // Coalescing pays on a store behind a round trip; the memory store answers at once.
        int callsInFlight = startup.store().type() == StoreConfig.Type.REDIS ? startup.store().redis().callsInFlight() : 0;
        RequestIds requestIds = new RequestIds();
        FailOpen failOpenState = new FailOpen(requestIds.replicaId(), metrics, InstantSource.system());
        this.failOpen = new FailOpenUpkeep(store, failOpenState, metrics, FailOpenUpkeep.INTERVAL);
        Admission admission = new EventingAdmission(new QuotaAdmission(holder::current, store, requestIds, retries,
                metrics, InstantSource.system(), callsInFlight, failOpenState), events);
        QuotaReads quota = new QuotaReads(() -> holder.current().config(), store, metrics, InstantSource.system());
        this.gateway = new Gateway(startup, admission, quota, metrics, transport, workers, accessLog);
        this.reloader = new ConfigReloader(file, holder, metrics);
        this.state = new ReplicaState(reloader::lastReloadFailed);
    }

    private static AccessLog openAccessLog(GatewayConfig config, GatewayMetrics metrics) {
        try {
            return AccessLog.open(config.accessLog(), metrics::accessLogDropped);
        } catch (IOException e) {
            throw new UncheckedIOException("access_log.file: cannot open " + config.accessLog().file(), e);
        }
    }

    /** Builds and starts a replica; on failure, whatever was started is stopped again. */
    public static Replica start(Path file, GatewayConfig config) throws InterruptedException {
        Replica replica = new Replica(file, config);
        try {
            replica.startParts(file);
        } catch (RuntimeException | InterruptedException e) {
            replica.close();
            throw e;
        }
        return replica;
    }

    private void startParts(Path file) throws InterruptedException {
        observe(startup);
        metrics.storeRetryQueue(retries::pending);
        reloader.onApplied(this::observe);
        failOpen.start(); // heartbeats from the start: peers count this replica before it takes traffic
        gateway.start();
        AdminApi api = new AdminApi(startup.admin().token(), store, () -> holder.current().config(),
                () -> reloader.reload("admin"), metrics, InstantSource.system(), state, events);
        if (startup.status().enabled()) {
            status = AdminServer.status(startup.status(), api).start();
            LOG.info("status listener (/metrics, /healthz, /readyz) on {}", status.address());
        }
        lowCalls = new LowCallsGauge(new LowCalls(store, () -> holder.current().config(), InstantSource.system()),
                () -> holder.current().config(), metrics).start(startup.metrics().lowCallsInterval());
        if (startup.admin().hasToken()) {
            admin = new AdminServer(startup.admin(), api).start();
            LOG.info("admin API on {}", admin.address());
        } else {
            LOG.warn("admin.token is empty: the admin API, /metrics and health endpoints are off "
                    + "(set QUOTAGATE_ADMIN_TOKEN or admin.token to enable them)");
        }
        dispatcher = new EventDispatcher(() -> holder.current().config(), eventStore, store, metrics,
                InstantSource.system(), EVENT_POLL).start();
        watcher = new ConfigWatcher(reloader);
        watcher.start();
        sighup = SignalReload.install(reloader);
        LOG.info("config {} in force (sha256 {}); replica id {}", file, startup.contentHash(),
                failOpen.replicaId());
    }

    /** The meters that follow the config in force: each group's series at 0, the config's hash. */
    private void observe(GatewayConfig config) {
        metrics.registerGroups(config.groups().keySet(), RejectionCode.wires(), RejectionCode.ungroupedWires());
        metrics.configInForce(config.contentHash());
    }

    public int port() {
        return gateway.port();
    }

    /** The status listener's port, or -1 when it is off. */
    public int statusPort() {
        return status == null ? -1 : status.port();
    }

    /** The admin listener's port, or -1 when the admin API is off. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    public ConfigReloader reloader() {
        return reloader;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /** Graceful stop: no new connections, in-flight requests get {@code server.shutdown_timeout}, then all closes. */
    @Override
    public void close() {
        state.drain(); // /readyz answers 503 while the in-flight requests finish
        if (sighup != null) {
            sighup.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        gateway.stop(startup.server().shutdownTimeout());
        accessLog.close();
        if (lowCalls != null) {
            lowCalls.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (status != null) {
            status.close();
        }
        // The exchanges that just ended settled (refunds, template slots): let those steps reach the store first.
        int unfinished = retries.drain(SETTLEMENT_DRAIN);
        if (unfinished > 0) {
            LOG.error("stopping with {} store step(s) (settlements, cancels) not applied: their charges stand", unfinished);
        }
        retries.close();
        // Uncharged (fail-open) admissions: one last try to reach the ledger, else a WARN line per tenant and group.
        failOpen.close();
        if (dispatcher != null) {
            dispatcher.close();
        }
        eventStore.close();
        store.close();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
