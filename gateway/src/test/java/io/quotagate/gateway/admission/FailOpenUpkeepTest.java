package io.quotagate.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Counter;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.store.Activation;
import io.quotagate.gateway.store.KeyInfo;
import io.quotagate.gateway.store.LedgerEntry;
import io.quotagate.gateway.store.MemoryQuotaStore;
import io.quotagate.gateway.store.OpResult;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.StoreUnavailableException;
import io.quotagate.gateway.store.TenantOps;
import io.quotagate.gateway.store.UnchargedEntry;
import io.quotagate.gateway.testkit.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@link FailOpenUpkeep} on the memory store behind a switch: heartbeats set the share, entries reach the ledger
 * once the store is back (once, even when a reply is lost after the write), and a stopping replica writes or logs
 * what it counted. Beats are driven by hand ({@code tick()}), never by waiting.
 */
class FailOpenUpkeepTest {

    private static final Instant START = Instant.parse("2026-01-15T00:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final MemoryQuotaStore memory = new MemoryQuotaStore(clock);
    private final GatewayMetrics metrics = new GatewayMetrics(true);
    private final FailOpen failOpen = new FailOpen("r1", metrics, clock);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger upkeepLog = (Logger) LoggerFactory.getLogger(FailOpenUpkeep.class);
    /** The store does not answer. */
    private volatile boolean down;
    /** Writes apply, but their replies are lost (a timeout after the script ran). */
    private volatile boolean repliesLost;
    private FailOpenUpkeep upkeep;

    @BeforeEach
    void setUp() {
        log.start();
        upkeepLog.addAppender(log);
        upkeep = new FailOpenUpkeep(flaky(memory), failOpen, metrics, Duration.ofSeconds(2));
        createTenant("acme");
        createTenant("globex");
    }

    @AfterEach
    void tearDown() {
        upkeepLog.detachAppender(log);
        upkeep.close();
    }

    @Test
    void theHeartbeatSetsHowManyReplicasShareTheLimitAndALostOneKeepsTheLastCount() throws Exception {
        await(memory.heartbeat("r2", Duration.ofSeconds(6)));
        await(memory.heartbeat("r3", Duration.ofSeconds(6)));
        tick();
        assertThat(failOpen.limiter().replicas()).isEqualTo(3);
        assertThat(metrics.scrape()).contains("quotagate_replicas_live 3.0");

        clock.advance(Duration.ofSeconds(7)); // r2 and r3 stopped beating
        down = true;
        tick();
        assertThat(failOpen.limiter().replicas()).as("the store did not answer: the last count stands").isEqualTo(3);
        down = false;
        tick();
        assertThat(failOpen.limiter().replicas()).isEqualTo(1);
    }

    @Test
    void countsReachTheLedgerOnceTheStoreIsBackAndALostReplyNeverWritesTwice() throws Exception {
        failOpen.uncharged().count("acme", "portrait", 1, START.toEpochMilli());
        failOpen.uncharged().count("acme", "portrait", 1, START.toEpochMilli() + 400);
        failOpen.uncharged().count("globex", "portrait", 1, START.toEpochMilli() + 700);
        down = true;
        tick();
        assertThat(pendingGauge()).isEqualTo(3);

        down = false;
        repliesLost = true;
        tick(); // quiet and answered: the outage closes, the writes apply, their replies are lost
        assertThat(unchargedLines("acme")).hasSize(1);
        assertThat(pendingGauge()).as("not known to be written").isEqualTo(3);
        assertThat(written()).isZero();

        repliesLost = false;
        tick(); // written again: the store ignores the repeat
        tick();
        assertThat(unchargedLines("acme")).singleElement().satisfies(e -> {
            assertThat(e.group()).isEqualTo("portrait");
            assertThat(e.orderId()).isNull();
            assertThat(e.detail()).isEqualTo("requests=2 calls=2 first=2026-01-15T00:00:00Z last=2026-01-15T00:00:00.400Z"
                    + " replica=r1 id=r1.1");
        });
        assertThat(unchargedLines("globex")).singleElement().extracting(LedgerEntry::detail).asString()
                .startsWith("requests=1 calls=1 ");
        assertThat(pendingGauge()).isZero();
        assertThat(written()).isEqualTo(3);
        assertThat(metrics.scrape()).contains("quotagate_uncharged_admissions_written_total{group=\"portrait\"} 3.0");
        assertThat(log.list).isEmpty();
    }

    @Test
    void anEntryTheStoreCanNeverTakeIsDroppedWithOneWarning() throws Exception {
        failOpen.uncharged().count("ghost", "portrait", 1, START.toEpochMilli());
        tick();
        tick();
        assertThat(failOpen.uncharged().pending()).isEmpty();
        assertThat(written()).isZero();
        assertThat(log.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("NOT_FOUND").contains("tenant=ghost group=portrait requests=1");
        });
    }

    @Test
    void aStoppingReplicaWritesWhatItCountedWhenTheStoreAnswers() {
        failOpen.uncharged().count("acme", "portrait", 1, START.toEpochMilli());
        upkeep.close(); // the outage is still open: closed and written now

        assertThat(unchargedLines("acme")).singleElement().extracting(LedgerEntry::detail).asString()
                .startsWith("requests=1 calls=1 ");
        assertThat(log.list).isEmpty();
    }

    @Test
    void aStoppingReplicaThatCannotWriteLogsOneWarningPerTenantAndGroupWithItsCounts() throws Exception {
        failOpen.uncharged().count("acme", "portrait", 1, START.toEpochMilli());
        tick();
        tick(); // outage 1 closed, written
        failOpen.uncharged().count("acme", "portrait", 2, START.toEpochMilli() + 5_000);
        down = true;
        tick();
        down = false;
        repliesLost = true;
        tick(); // outage 2 closed, its write's reply lost: pending
        failOpen.uncharged().count("acme", "portrait", 1, START.toEpochMilli() + 9_000); // outage 3, open
        failOpen.uncharged().count("globex", "video", 0, START.toEpochMilli() + 9_500);
        repliesLost = false;
        down = true;

        upkeep.close();

        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "stopping with uncharged admissions the ledger did not confirm (the store did not answer; an id found in "
                        + "the ledger was written): tenant=acme "
                        + "group=portrait requests=2 calls=3 first=2026-01-15T00:00:05Z last=2026-01-15T00:00:09Z "
                        + "replica=r1 ids=[r1.2, r1.3]",
                "stopping with uncharged admissions the ledger did not confirm (the store did not answer; an id found in "
                        + "the ledger was written): tenant=globex "
                        + "group=video requests=1 calls=0 first=2026-01-15T00:00:09.500Z last=2026-01-15T00:00:09.500Z "
                        + "replica=r1 ids=[r1.3]");
        assertThat(log.list).allSatisfy(e -> assertThat(e.getLevel()).isEqualTo(Level.WARN));
    }

    // ---- helpers ----

    private void tick() throws Exception {
        upkeep.tick().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private double written() {
        Counter c = metrics.registry().find("quotagate_uncharged_admissions_written").tag("group", "portrait").counter();
        return c == null ? 0 : c.count();
    }

    private double pendingGauge() {
        return metrics.registry().get("quotagate_uncharged_admissions_pending").gauge().value();
    }

    private List<LedgerEntry> unchargedLines(String tenant) {
        OpResult<List<LedgerEntry>> ledger = await(memory.ledger(tenant));
        return ((OpResult.Ok<List<LedgerEntry>>) ledger).value().stream()
                .filter(e -> e.kind().equals(UnchargedEntry.KIND)).toList();
    }

    private void createTenant(String id) {
        Activation activation = new Activation(200, Duration.ofDays(365).toMillis(), 20);
        await(memory.createTenant(new TenantOps.CreateTenant(id, id, Map.of("portrait", activation),
                new KeyInfo("k1", ApiKeys.digest(ApiKeys.generate(id)), START, null), START)));
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The memory store behind the two switches; only heartbeats and ledger writes go through them. */
    private QuotaStore flaky(QuotaStore delegate) {
        return (QuotaStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {QuotaStore.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    boolean watched = name.equals("heartbeat") || name.equals("recordUncharged");
                    if (watched && down) {
                        return CompletableFuture.failedFuture(new StoreUnavailableException("store down (test)", null));
                    }
                    Object result;
                    try {
                        result = method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (name.equals("recordUncharged") && repliesLost) {
                        return ((CompletionStage<?>) result).thenCompose(applied -> CompletableFuture.failedFuture(
                                new StoreUnavailableException("reply lost (test)", null)));
                    }
                    return result;
                });
    }
}
