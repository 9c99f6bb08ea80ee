package io.quotagate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import io.quotagate.gateway.Replica;
import io.quotagate.gateway.e2e.GatewayHttp.Reply;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RedisServerExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saturation on a healthy store: far more clients than two cores can serve, every one sending as fast as it is
 * answered, against one replica on a real Redis with the production store timeout (200 ms). Overload must slow the
 * gateway down, never fail a request: the admits of each event loop wait in its coalescer, not in Redis client
 * queues with a timeout running. Every request is answered 200 and charged exactly once.
 */
class SaturationE2eTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();
    private static final int CLIENTS = 96;
    private static final long LOAD_NANOS = TimeUnit.SECONDS.toNanos(4);

    @TempDir
    static Path dir;

    private static RecordingUpstream upstream;
    private static Accounts accounts;
    private static Replicas replicas;
    private static Replica replica;
    private static ResourceLeakDetector.Level leakLevel;

    @BeforeAll
    static void start() {
        // Sampled leak tracking (paranoid records every access and would measure the detector, not the gateway).
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        upstream = RecordingUpstream.start();
        accounts = new Accounts(REDIS.uri());
        Path file = E2eConfig.of(upstream.url().toString(), REDIS.uri()).countModeQps("busy", 100_000)
                .writeTo(dir.resolve("quotagate.yaml"));
        replicas = new Replicas();
        replica = replicas.start(file);
    }

    @AfterAll
    static void stop() {
        replicas.close();
        accounts.close();
        upstream.close();
        ResourceLeakDetector.setLevel(leakLevel);
    }

    @Test
    void overloadOnAHealthyStoreSlowsDownAndAnswersEveryRequest() throws Exception {
        String key = accounts.create("busy", 1_000_000, 20);
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        long[] startedAt = new long[1];
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            GatewayHttp http = new GatewayHttp();
            Thread client = new Thread(() -> {
                try {
                    go.await();
                    while (System.nanoTime() - startedAt[0] < LOAD_NANOS) {
                        Reply r = http.generate(replica.port(), key);
                        statuses.computeIfAbsent(r.status(), s -> new AtomicLong()).incrementAndGet();
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
        double seconds = (System.nanoTime() - startedAt[0]) / 1e9;
        long total = statuses.values().stream().mapToLong(AtomicLong::get).sum();
        long forwarded = upstream.requests().stream().filter(r -> "busy".equals(r.header("X-Tenant-Id"))).count();
        long charged = 1_000_000 - accounts.balance("busy");
        long scripts = evalshaCalls();
        System.out.printf("[e2e saturation] %d clients, %.1f s: %d requests (%.0f/s), statuses %s; upstream received %d, "
                + "charged %d; %d admit script calls (%.1f requests per call)%n", CLIENTS, seconds, total, total / seconds,
                statuses, forwarded, charged, scripts, scripts == 0 ? 0.0 : (double) total / scripts);

        assertThat(statuses.keySet()).containsOnly(200);
        assertThat(forwarded).isEqualTo(total);
        assertThat(charged).isEqualTo(total);
    }

    private static long evalshaCalls() {
        for (String line : String.valueOf(REDIS.command("INFO", "commandstats")).split("\r\n")) {
            if (line.startsWith("cmdstat_evalsha:calls=")) {
                return Long.parseLong(line.substring("cmdstat_evalsha:calls=".length(), line.indexOf(',')));
            }
        }
        return 0;
    }
}
