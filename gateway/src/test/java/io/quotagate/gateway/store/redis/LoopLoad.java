package io.quotagate.gateway.store.redis;

import io.netty.channel.EventLoop;
import io.quotagate.gateway.store.AdmitCommand;
import io.quotagate.gateway.store.AdmitResult;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The load of {@link PerLoopAdmitBenchmark}: from one event loop's thread, as a gateway loop with
 * {@code io_threads: 1} sends its admits, keeps {@code inFlight} admit calls of {@code batch} requests out for a
 * fixed time; each answer is handled on the loop (hopping back onto it if it arrived elsewhere, as
 * {@code AdmitCoalescer} does) and the next call leaves from there. What it measured is a {@link Result}.
 */
final class LoopLoad {

    /** What one run did and cost; CPU times in nanoseconds over the run's wall time. */
    record Result(long calls, long requests, long admitted, Map<String, Long> other, String firstError, long wallNanos,
                  long processCpuNanos, long loopCpuNanos, long[] latencyNanos, long answersOffLoop) {

        double callsPerSecond() {
            return calls / (wallNanos / 1e9);
        }

        double requestsPerSecond() {
            return requests / (wallNanos / 1e9);
        }

        /** A latency quantile in milliseconds. */
        double latencyMs(double q) {
            if (latencyNanos.length == 0) {
                return Double.NaN;
            }
            return latencyNanos[(int) Math.min(latencyNanos.length - 1, Math.floor(q * latencyNanos.length))] / 1e6;
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final EventLoop loop;
    private final Function<List<AdmitCommand>, CompletionStage<List<AdmitResult>>> client;
    private final Supplier<AdmitCommand> requests;
    private final int batch;
    private final int inFlight;
    private final long durationNanos;
    private final CompletableFuture<Result> done = new CompletableFuture<>();

    // Loop-confined state of the run.
    private long deadline;
    private long started;
    private long processCpu0;
    private long loopCpu0;
    private int out;
    private long calls;
    private long sent;
    private long admitted;
    private long answersOffLoop;
    private final Map<String, Long> other = new TreeMap<>();
    private String firstError;
    private long[] latencies = new long[1 << 14];

    private LoopLoad(EventLoop loop, Function<List<AdmitCommand>, CompletionStage<List<AdmitResult>>> client,
                     Supplier<AdmitCommand> requests, int batch, int inFlight, Duration duration) {
        this.loop = loop;
        this.client = client;
        this.requests = requests;
        this.batch = batch;
        this.inFlight = inFlight;
        this.durationNanos = duration.toNanos();
    }

    /** Runs the load on {@code loop}; completes when the time is up and every call sent has been answered. */
    static CompletableFuture<Result> run(EventLoop loop, Function<List<AdmitCommand>, CompletionStage<List<AdmitResult>>> client,
                                         Supplier<AdmitCommand> requests, int batch, int inFlight, Duration duration) {
        LoopLoad load = new LoopLoad(loop, client, requests, batch, inFlight, duration);
        loop.execute(load::start);
        return load.done;
    }

    private void start() {
        processCpu0 = OS.getProcessCpuTime();
        loopCpu0 = THREADS.getCurrentThreadCpuTime();
        started = System.nanoTime();
        deadline = started + durationNanos;
        for (int i = 0; i < inFlight; i++) {
            send();
        }
    }

    private void send() {
        List<AdmitCommand> commands = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            commands.add(requests.get());
        }
        out++;
        sent += batch;
        long t0 = System.nanoTime();
        CompletionStage<List<AdmitResult>> stage;
        try {
            stage = client.apply(commands);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((results, error) -> {
            if (loop.inEventLoop()) {
                answered(t0, results, error);
            } else {
                loop.execute(() -> {
                    answersOffLoop++; // read only after the run, on the loop
                    answered(t0, results, error);
                });
            }
        });
    }

    private void answered(long t0, List<AdmitResult> results, Throwable error) {
        long now = System.nanoTime();
        out--;
        if (calls == latencies.length) {
            latencies = Arrays.copyOf(latencies, latencies.length * 2);
        }
        latencies[(int) calls++] = now - t0;
        if (error != null) {
            other.merge("error", (long) batch, Long::sum);
            if (firstError == null) {
                firstError = String.valueOf(error);
            }
            deadline = now; // a failed call spoils the run: send no more
        } else {
            for (AdmitResult r : results) {
                if (r instanceof AdmitResult.Admitted) {
                    admitted++;
                } else {
                    other.merge(((AdmitResult.Denied) r).reason().name(), 1L, Long::sum);
                }
            }
        }
        if (now < deadline) {
            send();
        } else if (out == 0) {
            finish(now);
        }
    }

    private void finish(long now) {
        long processCpu = OS.getProcessCpuTime() - processCpu0;
        long loopCpu = THREADS.getCurrentThreadCpuTime() - loopCpu0;
        long[] sorted = Arrays.copyOf(latencies, (int) calls);
        Arrays.sort(sorted);
        done.complete(new Result(calls, sent, admitted, Map.copyOf(other), firstError, now - started, processCpu, loopCpu, sorted,
                answersOffLoop));
    }
}
