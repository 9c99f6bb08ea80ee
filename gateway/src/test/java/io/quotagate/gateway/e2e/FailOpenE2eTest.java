package io.quotagate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.quotagate.gateway.Replica;
import io.quotagate.gateway.e2e.GatewayHttp.Reply;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.store.LedgerEntry;
import io.quotagate.gateway.store.UnchargedEntry;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RedisServerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fail-open that stays bounded, end to end: two replicas with {@code on_error: allow} on one real Redis, which is
 * frozen (SIGSTOP) while both get far more traffic than the tenant's QPS limit allows. Each replica must admit at
 * most its share, {@code ceil(limit / 2)}, in every second (the rest get {@code 429 qps_exceeded} with
 * {@code Retry-After}), charge nothing, and once Redis is back write what it admitted to the tenant's ledger:
 * exactly the requests the upstream received meanwhile.
 */
class FailOpenE2eTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final String TENANT = "bounded";
    /** The tenant's count-mode limit; two replicas: a share of 3 each. */
    private static final int LIMIT = 5;
    private static final int SHARE = 3;
    private static final Duration OUTAGE = Duration.ofSeconds(4);
    /** Client threads per replica: each waits out the store timeout (~0.7 s), so far above the share. */
    private static final int CLIENTS = 12;

    @TempDir
    static Path dir;

    private static RecordingUpstream upstream;
    private static Accounts accounts;
    private static Replicas replicas;
    private static List<Replica> gateways;
    private final GatewayHttp http = new GatewayHttp();

    @BeforeAll
    static void start() {
        upstream = RecordingUpstream.start();
        accounts = new Accounts(REDIS.uri());
        Path file = E2eConfig.of(upstream.url().toString(), REDIS.uri())
                .redisTimeout(Duration.ofMillis(200), 2)
                .onError("allow")
                .countModeQps(TENANT, LIMIT)
                .writeTo(dir.resolve("quotagate.yaml"));
        replicas = new Replicas();
        gateways = List.of(replicas.start(file), replicas.start(file));
    }

    @AfterEach
    void resume() {
        REDIS.resume();
    }

    @AfterAll
    static void stop() {
        replicas.close();
        accounts.close();
        upstream.close();
    }

    @Test
    void eachReplicaAdmitsItsShareWhileTheStoreIsDownAndTheLedgerGetsExactlyWhatTheUpstreamReceived() throws Exception {
        int balanceBefore = 10_000;
        String key = accounts.create(TENANT, balanceBefore, 20);
        for (Replica gateway : gateways) {
            Poll.until("replicas this one saw live", Duration.ofSeconds(10), () -> liveReplicas(gateway), 2.0);
            // The store admits the key once on each replica: it is then known valid, with its limit.
            assertThat(http.generate(gateway.port(), key).status()).isEqualTo(200);
        }
        int warmUp = tenantRequests();

        REDIS.pause();
        Queue<Reply> replies = new ConcurrentLinkedQueue<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS * gateways.size());
        long end = System.nanoTime() + OUTAGE.toNanos();
        List<Future<?>> running = new ArrayList<>();
        for (Replica gateway : gateways) {
            for (int i = 0; i < CLIENTS; i++) {
                running.add(clients.submit(() -> {
                    while (System.nanoTime() < end) {
                        replies.add(http.generate(gateway.port(), key));
                    }
                    return null;
                }));
            }
        }
        for (Future<?> f : running) {
            f.get(30, TimeUnit.SECONDS);
        }
        clients.shutdown();
        REDIS.resume(); // every request of the outage has its answer: each was decided without the store
        long resumed = System.nanoTime();

        Map<Integer, Long> statuses = replies.stream().collect(Collectors.groupingBy(Reply::status, Collectors.counting()));
        long admitted = statuses.getOrDefault(200, 0L);
        long limited = statuses.getOrDefault(429, 0L);
        int forwarded = tenantRequests() - warmUp;
        // Once every replica's outage closed and its entry was written (a quiet beat after Redis answers):
        Poll.until("uncharged admissions in the ledger", Duration.ofSeconds(20), () -> unchargedInLedger(), (long) forwarded);
        long writtenAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumed);
        Poll.until("balance once the cancels of the outage's admits settled", Duration.ofSeconds(15),
                () -> accounts.balance(TENANT), (long) balanceBefore - warmUp);
        Poll.stays("uncharged admissions in the ledger", Duration.ofSeconds(1), () -> unchargedInLedger(), (long) forwarded);
        List<Entry> entries = entries();
        System.out.printf("[e2e fail-open] %d requests in a %d ms freeze on 2 replicas: %d admitted uncharged, %d got 429;"
                        + " upstream received %d; ledger (complete %d ms after Redis resumed): %s%n", replies.size(),
                OUTAGE.toMillis(), admitted, limited, forwarded, writtenAfterMs, entries);

        assertThat(statuses.keySet()).containsOnly(200, 429);
        assertThat(admitted).isEqualTo(forwarded).isEqualTo(sumCounters(GatewayMetrics.FAIL_OPEN_ADMISSIONS));
        assertThat(limited).as("refused by the local share").isEqualTo(sumCounters(GatewayMetrics.FAIL_OPEN_LIMITED))
                .as("the offered load was more than twice the cap").isGreaterThan(admitted);
        assertThat(replies).filteredOn(r -> r.status() == 429).allSatisfy(r -> {
            assertThat(r.errorCode()).isEqualTo("qps_exceeded");
            assertThat(r.header("Retry-After")).isEqualTo("1");
            assertThat(r.header("RateLimit-Policy")).isEqualTo("\"qps\";q=" + LIMIT + ";w=1");
        });
        // One entry per replica (one outage each), and in every second a replica admitted at most its share.
        assertThat(entries).hasSize(2);
        assertThat(entries).extracting(Entry::replica).doesNotHaveDuplicates();
        assertThat(entries).allSatisfy(e -> {
            assertThat(e.id()).isEqualTo(e.replica() + ".1");
            assertThat(e.calls()).isEqualTo(e.requests());
            assertThat(e.requests()).isBetween((long) SHARE, SHARE * (e.spanMillis() / 1000 + 1));
        });
        assertThat(accounts.ledger(TENANT)).filteredOn(l -> l.kind().equals(UnchargedEntry.KIND))
                .allSatisfy(l -> assertThat(l.group()).isEqualTo(Accounts.GROUP));
        for (Replica gateway : gateways) {
            assertThat(gauge(gateway, GatewayMetrics.UNCHARGED_PENDING)).isZero();
        }
        assertThat(sumCounters(GatewayMetrics.UNCHARGED_WRITTEN)).isEqualTo(forwarded);
    }

    /** One {@code uncharged_admissions} ledger line, parsed from its detail. */
    private record Entry(String id, String replica, long requests, long calls, Instant first, Instant last) {

        private static final Pattern DETAIL = Pattern.compile(
                "requests=(\\d+) calls=(\\d+) first=(\\S+) last=(\\S+) replica=(\\S+) id=(\\S+)");

        static Entry of(LedgerEntry line) {
            Matcher m = DETAIL.matcher(line.detail());
            assertThat(m.matches()).as(line.detail()).isTrue();
            return new Entry(m.group(6), m.group(5), Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                    Instant.parse(m.group(3)), Instant.parse(m.group(4)));
        }

        long spanMillis() {
            return Duration.between(first, last).toMillis();
        }
    }

    private static List<Entry> entries() {
        return accounts.ledger(TENANT).stream().filter(l -> l.kind().equals(UnchargedEntry.KIND)).map(Entry::of).toList();
    }

    private static long unchargedInLedger() {
        return entries().stream().mapToLong(Entry::requests).sum();
    }

    private static int tenantRequests() {
        return (int) upstream.requests().stream().filter(r -> TENANT.equals(r.header("X-Tenant-Id"))).count();
    }

    private static long sumCounters(String name) {
        return (long) gateways.stream().mapToDouble(g -> g.metrics().registry().find(name).counters().stream()
                .mapToDouble(Counter::count).sum()).sum();
    }

    private static double liveReplicas(Replica gateway) {
        return gauge(gateway, GatewayMetrics.REPLICAS_LIVE);
    }

    private static double gauge(Replica gateway, String name) {
        Gauge g = gateway.metrics().registry().find(name).gauge();
        return g == null ? Double.NaN : g.value();
    }
}
