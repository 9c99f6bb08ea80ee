package io.quotagate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import io.quotagate.gateway.Replica;
import io.quotagate.gateway.e2e.GatewayHttp.Reply;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RedisMonitor;
import io.quotagate.gateway.testkit.RedisServerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.ToLongBiFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real gateway replicas on one real Redis, driven through their proxy ports: the balance (rules 2, 4 and 8)
 * and the sliding QPS window (rule 6) are shared exactly across replicas, counted where it matters: at the
 * upstream.
 */
class TwoReplicasE2eTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    /** Count-mode QPS for the balance tenant: above its 100 calls, so no QPS rejection can mix in. */
    private static final int UNLIMITED_QPS = 1000;

    @TempDir
    static Path dir;

    private static RecordingUpstream upstream;
    private static Accounts accounts;
    private static Replicas replicas;
    private static Replica first;
    private static Replica second;
    private static ResourceLeakDetector.Level leakLevel;
    private final GatewayHttp http = new GatewayHttp();

    @BeforeAll
    static void start() {
        // Buffers tracked by sample (with records) instead of all (paranoid, a stack trace per access): paranoid makes
        // the bursts below about twice as slow, and on a loaded machine Redisson's pool then fails to give a connection
        // in time (503 "Unable to acquire connection"). LeakDetectionExtension still checks for leaks after the class.
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.ADVANCED);
        upstream = RecordingUpstream.start();
        accounts = new Accounts(REDIS.uri());
        // A generous store timeout: this class is about exactness under concurrency, not store failures. On two
        // shared cores a burst of 1,000 requests can keep a shared event loop busy past 3 × 200 ms, and the
        // resulting 503s (uncharged, see StoreOutageE2eTest) would blur the counts.
        Path file = E2eConfig.of(upstream.url().toString(), REDIS.uri())
                .redisTimeout(Duration.ofSeconds(3), 2)
                .countModeQps(10).countModeQps("exact", UNLIMITED_QPS)
                .writeTo(dir.resolve("quotagate.yaml"));
        replicas = new Replicas();
        first = replicas.start(file);
        second = replicas.start(file);
    }

    @AfterAll
    static void stop() {
        replicas.close();
        accounts.close();
        upstream.close();
        ResourceLeakDetector.setLevel(leakLevel);
    }

    @Test
    void aThousandConcurrentCallsOnTwoReplicasAgainstAHundredCallsChargeExactlyAHundred() throws Exception {
        String key = accounts.create("exact", 100, 20);
        ExecutorService pool = Executors.newFixedThreadPool(48);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Reply>> sent = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            int port = i % 2 == 0 ? first.port() : second.port();
            sent.add(pool.submit(() -> {
                go.await();
                return http.generate(port, key);
            }));
        }
        long started = System.nanoTime();
        go.countDown();
        List<Reply> replies = new ArrayList<>();
        for (Future<Reply> f : sent) {
            replies.add(f.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        Map<String, Long> outcomes = replies.stream().collect(Collectors.groupingBy(
                r -> r.status() == 200 ? "200" : r.status() + " " + r.errorCode(), Collectors.counting()));
        long forwarded = tenantRequests("exact").size();
        long balance = accounts.balance("exact");
        long okOnFirst = IntStream.range(0, 1000).filter(i -> i % 2 == 0 && replies.get(i).status() == 200).count();
        System.out.printf("[e2e balance] 1000 calls on 2 replicas in %d ms: %s (200s: %d via the first replica, %d via the "
                        + "second); upstream received %d; balance 100 -> %d%n",
                tookMs, outcomes, okOnFirst, 100 - okOnFirst, forwarded, balance);

        assertThat(outcomes).containsOnly(Map.entry("200", 100L), Map.entry("402 calls_exhausted", 900L));
        assertThat(forwarded).isEqualTo(100);
        assertThat(balance).isZero();
        assertThat(okOnFirst).isBetween(1L, 99L);
        // Each admitted call saw its own charge: the counts left after it are 99, 98, …, 0, each exactly once.
        assertThat(replies.stream().filter(r -> r.status() == 200).map(r -> Long.parseLong(r.header("X-Calls-Remaining"))))
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 100).mapToObj(i -> (long) i).toList());
        assertThat(replies.stream().filter(r -> r.status() == 402).map(r -> r.header("X-Calls-Remaining")))
                .containsOnly("0");
    }

    /**
     * The upstream stamps arrivals, but the window is decided on the Redis server's clock, earlier and with a
     * variable delay (Redis reply → gateway → upstream, on two cores shared with other work). Two admissions
     * exactly 1000 ms apart in Redis time can therefore arrive up to that jitter closer together: 62 ms was seen
     * with the machine's load average at 9. The tolerance is far below what a broken window produces (a fixed
     * window lets 11+ through within a few ms around a second boundary; per-replica windows let 20 through in
     * about 500 ms), and the exact check, with no tolerance, is made on the Redis clock.
     */
    private static final long ARRIVAL_JITTER_TOLERANCE_MS = 150;

    @Test
    void aQpsLimitOfTenHoldsInEverySlidingSecondAcrossBothReplicas() throws Exception {
        String key = accounts.create("window", 1000, 20);
        Queue<Reply> replies = new ConcurrentLinkedQueue<>();
        RedisMonitor monitor = REDIS.monitor();
        double seconds = hammer(8, Duration.ofSeconds(4), port -> replies.add(http.generate(port, key)));
        monitor.close();

        // What the admit script pushed on the tenant's window list: each admission's time on the Redis clock (µs),
        // one value per admission (a batch pushes all of its admissions in one LPUSH).
        String windowPush = "\"LPUSH\" \"qg:{window}:g:portrait:w\" ";
        List<Long> decided = monitor.lines().stream().filter(l -> l.contains(windowPush))
                .flatMap(l -> Arrays.stream(l.substring(l.indexOf(windowPush) + windowPush.length()).split(" ")))
                .map(v -> Long.parseLong(v.replace("\"", "")))
                .sorted().toList();
        List<Instant> arrivals = tenantRequests("window").stream()
                .map(RecordingUpstream.RecordedRequest::arrivedAt).sorted().toList();
        long ok = replies.stream().filter(r -> r.status() == 200).count();
        List<Reply> limited = replies.stream().filter(r -> r.status() == 429).toList();
        long tightestDecidedUs = tightest(decided, (a, b) -> b - a);
        long tightestArrivalMs = tightest(arrivals, (a, b) -> Duration.between(a, b).toMillis());
        System.out.printf("[e2e qps] %.2f s of load on 2 replicas, %d requests: %d admitted (%.2f/s), %d got 429; "
                        + "tightest span of 11 consecutive admissions: %.3f ms on the Redis clock, %d ms at the upstream%n",
                seconds, replies.size(), ok, ok / seconds, limited.size(), tightestDecidedUs / 1000.0, tightestArrivalMs);

        assertThat(replies).allMatch(r -> r.status() == 200 || r.status() == 429, "only 200 or 429");
        assertThat(decided).hasSize((int) ok);
        assertThat(arrivals).hasSize((int) ok);
        // No 1000 ms interval holds 11 admissions: the 1st and the 11th of any run are at least a second apart.
        assertThat(tightestDecidedUs).isGreaterThanOrEqualTo(1_000_000);
        assertThat(tightestArrivalMs).isGreaterThanOrEqualTo(1000 - ARRIVAL_JITTER_TOLERANCE_MS);
        assertThat(ok / seconds).isGreaterThanOrEqualTo(9.0);
        assertThat(limited).isNotEmpty().allSatisfy(r -> {
            assertThat(r.errorCode()).isEqualTo("qps_exceeded");
            assertThat(r.header("Retry-After")).isEqualTo("1");
            assertThat(r.header("RateLimit-Policy")).isEqualTo("\"qps\";q=10;w=1");
            assertThat(r.header("RateLimit")).isEqualTo("\"qps\";r=0;t=1");
        });
    }

    /** Runs {@code threads} clients, alternating between the replicas, for {@code load}; returns the seconds it took. */
    private static double hammer(int threads, Duration load, IntConsumer request) throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        long[] startedAt = new long[1];
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int port = t % 2 == 0 ? first.port() : second.port();
            Thread client = new Thread(() -> {
                try {
                    go.await();
                    while (System.nanoTime() - startedAt[0] < load.toNanos()) {
                        request.accept(port);
                        Thread.sleep(2); // leaves CPU for the replicas and Redis on a 2-core machine
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            client.start();
            clients.add(client);
        }
        startedAt[0] = System.nanoTime();
        go.countDown();
        for (Thread client : clients) {
            client.join();
        }
        return (System.nanoTime() - startedAt[0]) / 1e9;
    }

    /** The shortest distance between an admission and the 10th after it (sorted input). */
    private static <T> long tightest(List<T> sorted, ToLongBiFunction<T, T> distance) {
        return IntStream.range(0, Math.max(0, sorted.size() - 10))
                .mapToLong(i -> distance.applyAsLong(sorted.get(i), sorted.get(i + 10)))
                .min().orElse(Long.MAX_VALUE);
    }

    private static List<RecordingUpstream.RecordedRequest> tenantRequests(String tenant) {
        return upstream.requests().stream().filter(r -> tenant.equals(r.header("X-Tenant-Id"))).toList();
    }

}
