package io.quotagate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import io.quotagate.gateway.Replica;
import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.e2e.GatewayHttp.Reply;
import io.quotagate.gateway.testkit.RecordingUpstream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real gateway replicas on one shared store, driven through their proxy ports: the balance (rules 2, 4 and 8) is
 * shared exactly across replicas, counted where it matters: at the upstream. Run on every Redis topology: a single
 * server ({@link TwoReplicasE2eTest}), Sentinel and Cluster; subclasses say where the store is.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TwoReplicasE2eContract {

    /** Count-mode QPS for the balance tenant: above its 100 calls, so no QPS rejection can mix in. */
    private static final int UNLIMITED_QPS = 1000;

    @TempDir
    static Path dir;

    protected RecordingUpstream upstream;
    protected Accounts accounts;
    protected Replicas replicas;
    protected Replica first;
    protected Replica second;
    private ResourceLeakDetector.Level leakLevel;
    protected final GatewayHttp http = new GatewayHttp();

    /** Tenants of the subclass's own tests whose calls must never meet the QPS limit. */
    protected List<String> unlimitedQpsTenants() {
        return List.of();
    }

    /** The {@code store.redis} settings of the topology under test (its timeouts are the operator's, for Accounts). */
    protected abstract RedisConfig redis();

    @BeforeAll
    void start() {
        // Buffers tracked by sample (with records) instead of all (paranoid, a stack trace per access): paranoid makes
        // the bursts below about twice as slow, and on a loaded machine Redisson's pool then fails to give a connection
        // in time (503 "Unable to acquire connection"). LeakDetectionExtension still checks for leaks after the class.
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.ADVANCED);
        upstream = RecordingUpstream.start();
        accounts = new Accounts(redis());
        // A generous store timeout: this class is about exactness under concurrency, not store failures. On two
        // shared cores a burst of 1,000 requests can keep a shared event loop busy past 3 × 200 ms, and the
        // resulting 503s (uncharged, see StoreOutageE2eTest) would blur the counts.
        E2eConfig config = E2eConfig.of(upstream.url().toString(), redis())
                .redisTimeout(Duration.ofSeconds(3), 2)
                .countModeQps(10).countModeQps("exact", UNLIMITED_QPS);
        unlimitedQpsTenants().forEach(t -> config.countModeQps(t, UNLIMITED_QPS));
        Path file = config.writeTo(dir.resolve("quotagate.yaml"));
        replicas = new Replicas();
        first = replicas.start(file);
        second = replicas.start(file);
    }

    @AfterAll
    void stop() {
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

        // A healthy store, however busy, never turns into 503s: every call is answered by the balance.
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

    protected List<RecordingUpstream.RecordedRequest> tenantRequests(String tenant) {
        return upstream.requests().stream().filter(r -> tenant.equals(r.header("X-Tenant-Id"))).toList();
    }
}
