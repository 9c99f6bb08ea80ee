package io.quotagate.gateway.store.redis;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quotagate.gateway.admission.RequestIds;
import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.store.AdmitCommand;
import io.quotagate.gateway.store.AdmitResult;
import io.quotagate.gateway.store.StoreFixture;
import io.quotagate.gateway.testkit.RedisServerExtension;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What one admission costs Redis: runs many admits of one tenant through {@link RedisQuotaStore} (asynchronously,
 * many in flight) and prints Redis's own accounting from {@code INFO commandstats}: {@code usec_per_call} of
 * {@code EVALSHA} and the commands each script ran. Redis-internal time is far less sensitive to other load on the
 * machine than throughput. Not part of the normal suite; run it by hand:
 *
 * <pre>
 * mvn -q -o -pl gateway test -Dtest=RedisAdmitCostBenchmark -Dbench -Dbench.n=100000 -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * {@code -Dbench.batch=N} sends N requests per script call (as the coalescer does under load);
 * {@code -Dbench.phases=1} runs only the first phase (for a profiler attached to Redis meanwhile).
 *
 * The report is printed and also written to {@code gateway/target/bench-redis-admit.txt}.
 */
class RedisAdmitCostBenchmark {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final int N = Integer.getInteger("bench.n", 100_000);
    private static final int IN_FLIGHT = Integer.getInteger("bench.inflight", 64);
    private static final int THREADS = Integer.getInteger("bench.threads", 4);
    /** Requests per script call ({@code admitAll}); 1: one admit per call. */
    private static final int BATCH = Integer.getInteger("bench.batch", 1);
    private static final RequestIds IDS = new RequestIds();

    @Test
    void admitCost() throws Exception {
        assumeTrue(System.getProperty("bench") != null, "benchmark: run with -Dbench");
        // The suite runs Netty's leak tracker at paranoid (milliseconds of client CPU per call): measure without it.
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        REDIS.flushAll();
        // For a profiler or a sampler attached to this Redis meanwhile.
        Files.writeString(Path.of("target", "bench-redis-uri.txt"), REDIS.uri());
        RedisConfig config = new RedisConfig(REDIS.uri(), null, null, null, Duration.ofSeconds(5), 3);
        RedisQuotaStore store = new RedisQuotaStore(RedissonClients.create(config), true);
        StringBuilder report = new StringBuilder();
        try {
            StoreFixture f = new StoreFixture(store);
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            f.create(StoreFixture.DEFAULT, now);
            f.grant(100_000_000L, now, now.plus(Duration.ofDays(365)), "pack-100m");

            // Warm-up: the JIT, Redisson's pool, the script cache; the free lot (200 calls) is used up here too.
            run(store, 20_000, () -> StoreFixture.request().countQps(1_000_000));

            if (runs(1)) {
                phase(report, "count mode, cost 1, QPS-limited (limit 1e6: all admitted)", store,
                        () -> StoreFixture.request().countQps(1_000_000));
            }
            if (runs(2)) {
                phase(report, "count mode, cost 1, QPS limit 10 (almost all denied: qps_exceeded)", store,
                        () -> StoreFixture.request().countQps(10));
            }
            if (runs(3)) {
                phase(report, "count mode, cost 0, not QPS-limited (no request record)", store,
                        () -> StoreFixture.request().cost(0).qps(false));
            }
        } finally {
            store.close();
        }
        System.out.println(report);
        Path out = Path.of("target", "bench-redis-admit.txt");
        try {
            Files.writeString(out, report.toString());
        } catch (IOException ignored) {
            // The report was printed.
        }
    }

    private static void phase(StringBuilder report, String name, RedisQuotaStore store, Supplier<StoreFixture.Admit> admit)
            throws Exception {
        REDIS.command("CONFIG", "RESETSTAT");
        long t0 = System.nanoTime();
        ConcurrentHashMap<String, AtomicLong> outcomes = run(store, N, admit);
        double secs = (System.nanoTime() - t0) / 1e9;
        String stats = String.valueOf(REDIS.command("INFO", "commandstats"));
        report.append(String.format(Locale.ROOT, "%n== %s%n   %d admits in %.2f s = %.0f/s (%d threads, %d calls in flight, %d per call)%n   outcomes %s%n",
                name, N, secs, N / secs, THREADS, IN_FLIGHT, BATCH, outcomes));
        long scripts = 0;
        List<String[]> rows = new ArrayList<>();
        for (String line : stats.split("\r\n")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            String cmd = line.substring("cmdstat_".length(), line.indexOf(':'));
            long calls = field(line, "calls=");
            String usec = line.substring(line.indexOf("usec=") + 5, line.indexOf(',', line.indexOf("usec=")));
            String per = line.substring(line.indexOf("usec_per_call=") + 14, line.indexOf(',', line.indexOf("usec_per_call=")));
            if (cmd.equals("evalsha")) {
                scripts = calls;
            }
            rows.add(new String[] {cmd, String.valueOf(calls), usec, per});
        }
        long inner = 0;
        double innerUsec = 0;
        for (String[] r : rows) {
            if (!r[0].equals("evalsha") && !r[0].equals("eval") && !r[0].equals("config") && !r[0].equals("info")) {
                inner += Long.parseLong(r[1]);
                innerUsec += Double.parseDouble(r[2]);
            }
        }
        long scriptUsec = 0;
        for (String[] r : rows) {
            if (r[0].equals("evalsha") || r[0].equals("eval")) {
                scriptUsec += Long.parseLong(r[2]);
            }
        }
        report.append(String.format(Locale.ROOT, "   => %.2f usec of Redis script time per request%n", (double) scriptUsec / N));
        for (String[] r : rows) {
            double perScript = scripts == 0 ? 0 : Double.parseDouble(r[1]) / scripts;
            report.append(String.format(Locale.ROOT, "   %-16s calls=%-9s per_script=%-6.2f usec_per_call=%s%n", r[0], r[1], perScript, r[3]));
        }
        if (scripts > 0) {
            report.append(String.format(Locale.ROOT, "   => %.2f commands per script, %.2f usec of commands per script%n",
                    (double) inner / scripts, innerUsec / scripts));
        }
    }

    private static ConcurrentHashMap<String, AtomicLong> run(RedisQuotaStore store, int total, Supplier<StoreFixture.Admit> admit)
            throws InterruptedException {
        ConcurrentHashMap<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        AtomicLong next = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            Thread t = new Thread(() -> {
                while (next.getAndAdd(BATCH) < total) {
                    inFlight.acquireUninterruptibly();
                    List<AdmitCommand> batch = new ArrayList<>(BATCH);
                    for (int b = 0; b < BATCH; b++) {
                        // Ids as a replica makes them (consecutive ids share a record bucket), not random UUIDs.
                        batch.add(admit.get().id(IDS.next()).command());
                    }
                    store.admitAll(batch).whenComplete((rs, e) -> {
                        for (int b = 0; b < BATCH; b++) {
                            AdmitResult r = e == null ? rs.get(b) : null;
                            String k = e != null ? "error:" + rootOf(e) : r instanceof AdmitResult.Denied d ? d.reason().name() : "ADMITTED";
                            outcomes.computeIfAbsent(k.length() > 60 ? k.substring(0, 60) : k, x -> new AtomicLong()).incrementAndGet();
                        }
                        inFlight.release();
                    });
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        inFlight.acquire(IN_FLIGHT);
        inFlight.release(IN_FLIGHT);
        return outcomes;
    }

    /** {@code -Dbench.phases=1,3}: only those phases (all by default). */
    private static boolean runs(int phase) {
        String only = System.getProperty("bench.phases", "");
        return only.isEmpty() || ("," + only + ",").contains("," + phase + ",");
    }

    private static String rootOf(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) {
            e = e.getCause();
        }
        String m = String.valueOf(e.getMessage());
        return e.getClass().getSimpleName() + "(" + m.substring(0, Math.min(80, m.length())) + ")";
    }

    private static long field(String line, String name) {
        String rest = line.substring(line.indexOf(name) + name.length()) + ",";
        return Long.parseLong(rest.substring(0, rest.indexOf(',')));
    }
}
