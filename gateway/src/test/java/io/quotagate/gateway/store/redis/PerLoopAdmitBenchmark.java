package io.quotagate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.quotagate.gateway.admission.RequestIds;
import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.proxy.Transport;
import io.quotagate.gateway.store.AdmitCommand;
import io.quotagate.gateway.store.AdmitResult;
import io.quotagate.gateway.store.StoreFixture;
import io.quotagate.gateway.store.redis.RedisScripts.Script;
import io.quotagate.gateway.testkit.RedisServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 9's question: is Redisson's own per-call cost a real share of an admission, or would the hot path gain from
 * a connection bound to each event loop? Drives the same admit load through two clients from ONE event loop thread
 * (a gateway with {@code io_threads: 1}), one tenant in count mode with QPS 1e6, all admitted and charged:
 * <ul>
 *   <li>{@code redisson}: {@link RedisQuotaStore#admitAll} as the gateway runs it, Redisson on the gateway's loop
 *       ({@link RedissonClients.SharedLoops});</li>
 *   <li>{@code per-loop}: a raw Netty channel on that same loop ({@link RespPipeline}): {@code EVALSHA} of
 *       {@code admit.lua} with exactly the keys and arguments of {@link RedisAdmission#encode}, pipelined, one flush
 *       per loop task, the reply decoded by {@link RedisAdmission#parse}.</li>
 * </ul>
 * For each batch size, {@code bench.inflight} calls stay out; rounds alternate A B B A A B…, and each round checks
 * that every request was admitted, that the lots lost exactly that many calls, and that Redis ran one
 * {@code EVALSHA} per call (no resend, no {@code NOSCRIPT}). Not part of the normal suite; run it by hand:
 *
 * <pre>
 * mvn -B -ntp -o -pl gateway test -Dtest=PerLoopAdmitBenchmark -Dbench -Dsurefire.failIfNoSpecifiedTests=false \
 *   -DargLine="-Xms512m -Xmx512m -XX:+UseParallelGC -Dio.netty.buffer.checkAccessible=false"
 * </pre>
 *
 * {@code -Dbench.batches=20,5,1}, {@code -Dbench.clients=redisson,per-loop}, {@code -Dbench.rounds=3}, {@code -Dbench.seconds=6}, {@code -Dbench.warmup=5}
 * (seconds per client and batch size), {@code -Dbench.inflight=8}. The report is printed and written to
 * {@code gateway/target/bench-perloop.txt}.
 */
class PerLoopAdmitBenchmark {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final int IN_FLIGHT = Integer.getInteger("bench.inflight", 8);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final Duration RUN = Duration.ofSeconds(Integer.getInteger("bench.seconds", 6));
    private static final Duration WARMUP = Duration.ofSeconds(Integer.getInteger("bench.warmup", 5));
    private static final int[] BATCHES = Arrays.stream(System.getProperty("bench.batches", "20,5,1").split(","))
            .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    /** {@code -Dbench.clients=redisson}: one client only (e.g. under a profiler). */
    private static final List<String> CLIENTS = List.of(System.getProperty("bench.clients", "redisson,per-loop").split(","));

    /** A client under test: a batch of admits in, their results out, on the loop. */
    private record Client(String name, Function<List<AdmitCommand>, CompletionStage<List<AdmitResult>>> admitAll,
                          Supplier<Long> flushes) {
    }

    @Test
    void redissonAgainstAConnectionPerLoop() throws Exception {
        assumeTrue(System.getProperty("bench") != null, "benchmark: run with -Dbench");
        // The suite runs Netty's leak tracker at paranoid; production runs without it.
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        REDIS.flushAll();
        Transport transport = Transport.best();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("bench-loop"),
                transport.ioHandlerFactory());
        EventLoop loop = group.next();
        // The gateway's settings (RedissonClients.DEFAULT_TIMEOUT 200 ms), on the gateway's loop.
        RedisConfig config = new RedisConfig(REDIS.uri(), null, null, null, null, 3);
        RedisQuotaStore store = new RedisQuotaStore(RedissonClients.create(config,
                new RedissonClients.SharedLoops(group, "epoll".equals(transport.name()))), true);
        RespPipeline pipe = null;
        PerLoopReport report = new PerLoopReport(transport.name(), IN_FLIGHT, RUN, WARMUP);
        try {
            StoreFixture f = new StoreFixture(store);
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            f.create(StoreFixture.DEFAULT, now);
            f.grant(1_000_000_000L, now, now.plus(Duration.ofDays(365)), "pack-1g");
            pipe = RespPipeline.connect(loop, transport.socketChannel(), REDIS.host(), REDIS.port()).get(5, TimeUnit.SECONDS);
            String sha = perLoopScriptLoad(loop, pipe);
            RespPipeline p = pipe;
            List<Client> clients = Stream.of(
                    new Client("redisson", store::admitAll, () -> 0L),
                    new Client("per-loop", commands -> perLoopAdmit(p, sha, commands), p::flushes))
                    .filter(c -> CLIENTS.contains(c.name())).toList();
            RequestIds ids = new RequestIds();
            StoreFixture.Admit template = StoreFixture.request().countQps(1_000_000);
            // Ids as a replica makes them (consecutive ids share a record bucket).
            Supplier<AdmitCommand> requests = () -> template.id(ids.next()).command();
            for (int batch : BATCHES) {
                for (Client c : clients) {
                    // The JIT, Redisson's pool, the script cache; the free lot is used up in the first one.
                    LoopLoad.run(loop, c.admitAll(), requests, batch, IN_FLIGHT, WARMUP).get(WARMUP.toSeconds() + 30, TimeUnit.SECONDS);
                }
                for (int round = 0; round < 2 * ROUNDS; round++) {
                    // A B B A A B …: a drift of the machine's speed hits both clients alike.
                    Client c = clients.get((round + 1) / 2 % clients.size());
                    report.add(measure(f, loop, c, requests, batch, round / 2 + 1));
                }
            }
        } finally {
            if (pipe != null) {
                pipe.close();
            }
            store.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        String text = report.text();
        System.out.println(text);
        Files.writeString(Path.of("target", "bench-perloop.txt"), text);
    }

    private static PerLoopReport.Round measure(StoreFixture f, EventLoop loop, Client c, Supplier<AdmitCommand> requests,
                                               int batch, int round) throws Exception {
        long remaining0 = f.remaining().stream().mapToLong(Long::longValue).sum();
        long flushes0 = c.flushes().get();
        REDIS.command("CONFIG", "RESETSTAT");
        double redisCpu0 = redisCpuSeconds();
        Map<String, Long> threads0 = ThreadCpu.byName();
        LoopLoad.Result r = LoopLoad.run(loop, c.admitAll(), requests, batch, IN_FLIGHT, RUN)
                .get(RUN.toSeconds() + 30, TimeUnit.SECONDS);
        Map<String, Long> threads = ThreadCpu.since(threads0);
        double redisCpu = redisCpuSeconds() - redisCpu0;
        long evalsha = RedisStats.calls(REDIS, "evalsha");
        long evalshaUsec = RedisStats.usec(REDIS, "evalsha");
        long failed = RedisStats.failedCalls(REDIS, "evalsha") + RedisStats.calls(REDIS, "eval");
        long charged = remaining0 - f.remaining().stream().mapToLong(Long::longValue).sum();
        long flushes = c.flushes().get() - flushes0;
        // The comparison is fair only if both clients did the same work: every request admitted and charged once.
        assertThat(r.firstError()).as(c.name() + " error").isNull();
        assertThat(r.admitted()).as(c.name() + " admitted").isEqualTo(r.requests());
        assertThat(charged).as(c.name() + " calls charged").isEqualTo(r.requests());
        assertThat(evalsha).as(c.name() + " EVALSHA per call").isEqualTo(r.calls());
        assertThat(failed).as(c.name() + " NOSCRIPT or EVAL").isZero();
        return new PerLoopReport.Round(c.name(), batch, round, r, evalshaUsec, redisCpu * 1e6, charged, flushes, threads);
    }

    /** Loads admit.lua through the pipeline (on its loop) and checks it is the script RedisScripts calls. */
    private static String perLoopScriptLoad(EventLoop loop, RespPipeline pipe) throws Exception {
        CompletableFuture<Object> sha = CompletableFuture.supplyAsync(
                () -> pipe.send("SCRIPT", "LOAD", RedisScripts.body(Script.ADMIT)), loop).thenCompose(x -> x);
        assertThat(sha.get(5, TimeUnit.SECONDS)).isEqualTo(RedisScripts.shaOf(Script.ADMIT));
        return RedisScripts.shaOf(Script.ADMIT);
    }

    private static final List<List<Integer>> PARTS = IntStream.rangeClosed(0, RedisAdmission.MAX_BATCH)
            .mapToObj(n -> IntStream.range(0, n).boxed().toList()).toList();

    /** The per-loop client: one admit.lua call for the batch, exactly as RedisAdmission encodes and parses it. */
    @SuppressWarnings("unchecked")
    private static CompletionStage<List<AdmitResult>> perLoopAdmit(RespPipeline pipe, String sha, List<AdmitCommand> commands) {
        int n = commands.size();
        RedisAdmission.ScriptCall call = RedisAdmission.encode(commands, PARTS.get(n));
        List<Object> keys = call.keys();
        Object[] args = call.args();
        Object[] command = new Object[3 + keys.size() + args.length];
        command[0] = "EVALSHA";
        command[1] = sha;
        command[2] = Integer.toString(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            command[3 + i] = keys.get(i);
        }
        System.arraycopy(args, 0, command, 3 + keys.size(), args.length);
        String receipt = commands.get(0).requestId();
        return pipe.send(command).thenApply(reply -> RedisAdmission.parse((List<Object>) reply, n, receipt));
    }

    /** Redis's own CPU so far ({@code used_cpu_user + used_cpu_sys} of {@code INFO cpu}), in seconds. */
    private static double redisCpuSeconds() {
        double total = 0;
        for (String line : String.valueOf(REDIS.command("INFO", "cpu")).split("\r\n")) {
            if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
                total += Double.parseDouble(line.substring(line.indexOf(':') + 1));
            }
        }
        return total;
    }
}
