package io.quotagate.gateway.store.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/** The text report of {@link PerLoopAdmitBenchmark}: one line per measured round, then medians per batch size. */
final class PerLoopReport {

    /** One measured run of one client. */
    record Round(String client, int batch, int round, LoopLoad.Result result, long evalshaUsec, double redisCpuMicros,
                 long charged, long flushes, Map<String, Long> threadCpuNanos) {

        double perRequest(double total) {
            return total / result.requests();
        }

        double processCpuUs() {
            return perRequest(result.processCpuNanos() / 1e3);
        }

        double loopCpuUs() {
            return perRequest(result.loopCpuNanos() / 1e3);
        }

        double evalshaUs() {
            return perRequest(evalshaUsec);
        }

        double redisCpuUs() {
            return perRequest(redisCpuMicros);
        }
    }

    private record Metric(String name, String format, ToDoubleFunction<Round> value) {
    }

    private static final List<Metric> METRICS = List.of(
            new Metric("calls/s", "%,.0f", r -> r.result().callsPerSecond()),
            new Metric("requests/s", "%,.0f", r -> r.result().requestsPerSecond()),
            new Metric("JVM process CPU us/req", "%.2f", Round::processCpuUs),
            new Metric("loop thread CPU us/req", "%.2f", Round::loopCpuUs),
            new Metric("Redis evalsha us/req", "%.2f", Round::evalshaUs),
            new Metric("Redis process CPU us/req", "%.2f", Round::redisCpuUs),
            new Metric("call p50 ms", "%.3f", r -> r.result().latencyMs(0.50)),
            new Metric("call p99 ms", "%.3f", r -> r.result().latencyMs(0.99)),
            new Metric("calls per flush", "%.2f", r -> r.flushes() == 0 ? Double.NaN : (double) r.result().calls() / r.flushes()));

    private final String header;
    private final List<Round> rounds = new ArrayList<>();
    private final StringBuilder lines = new StringBuilder();

    PerLoopReport(String transport, int inFlight, Duration run, Duration warmup) {
        this.header = String.format(Locale.ROOT, "Redisson or a connection per event loop: one %s event loop, %d calls in flight, "
                + "%d s per round (%d s warm-up per client and batch size), rounds A B B A A B …; "
                + "CPU: JVM process = OperatingSystemMXBean.getProcessCpuTime, loop thread = ThreadMXBean%n",
                transport, inFlight, run.toSeconds(), warmup.toSeconds());
    }

    void add(Round r) {
        rounds.add(r);
        LoopLoad.Result x = r.result();
        String line = String.format(Locale.ROOT, "B=%-3d round %d %-8s calls=%-7d req=%-8d req/s=%,8.0f proc=%6.2f loop=%6.2f "
                        + "evalsha=%5.2f redis=%5.2f us/req  p50=%.3f p99=%.3f ms  charged=%d off-loop=%d %s%n",
                r.batch(), r.round(), r.client(), x.calls(), x.requests(), x.requestsPerSecond(), r.processCpuUs(), r.loopCpuUs(),
                r.evalshaUs(), r.redisCpuUs(), x.latencyMs(0.5), x.latencyMs(0.99), r.charged(), x.answersOffLoop(),
                r.flushes() == 0 ? "" : String.format(Locale.ROOT, "calls/flush=%.2f", (double) x.calls() / r.flushes()));
        StringBuilder top = new StringBuilder("    JVM threads, CPU us/req:");
        r.threadCpuNanos().entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
                .forEach(e -> top.append(String.format(Locale.ROOT, " %s %.2f", e.getKey(), r.perRequest(e.getValue() / 1e3))));
        line += top.append('\n');
        lines.append(line);
        System.out.print(line);
    }

    String text() {
        StringBuilder out = new StringBuilder(header).append('\n').append(lines);
        Set<Integer> batches = new LinkedHashSet<>();
        Set<String> clients = new LinkedHashSet<>();
        rounds.forEach(r -> {
            batches.add(r.batch());
            clients.add(r.client());
        });
        for (int batch : batches) {
            out.append(String.format(Locale.ROOT, "%n== %d requests per call: median [min – max] over rounds%n", batch));
            out.append(String.format(Locale.ROOT, "%-26s", ""));
            clients.forEach(c -> out.append(String.format(Locale.ROOT, "%-34s", c)));
            out.append('\n');
            for (Metric m : METRICS) {
                out.append(String.format(Locale.ROOT, "%-26s", m.name()));
                for (String c : clients) {
                    double[] v = rounds.stream().filter(r -> r.batch() == batch && r.client().equals(c)).mapToDouble(m.value()).sorted().toArray();
                    String cell = Double.isNaN(v[0]) ? "-" : String.format(Locale.ROOT, m.format() + " [" + m.format() + " – " + m.format() + "]",
                            median(v), v[0], v[v.length - 1]);
                    out.append(String.format(Locale.ROOT, "%-34s", cell));
                }
                out.append('\n');
            }
            out.append(pairs(batch, clients));
        }
        return out.toString();
    }

    /** Per round pair: the first client's JVM CPU per request minus the second's, and their req/s ratio. */
    private String pairs(int batch, Set<String> clients) {
        if (clients.size() != 2) {
            return "";
        }
        String[] c = clients.toArray(String[]::new);
        List<Round> a = rounds.stream().filter(r -> r.batch() == batch && r.client().equals(c[0])).toList();
        List<Round> b = rounds.stream().filter(r -> r.batch() == batch && r.client().equals(c[1])).toList();
        int n = Math.min(a.size(), b.size());
        double[] cpu = new double[n];
        double[] loop = new double[n];
        double[] rate = new double[n];
        for (int i = 0; i < n; i++) {
            cpu[i] = a.get(i).processCpuUs() - b.get(i).processCpuUs();
            loop[i] = a.get(i).loopCpuUs() - b.get(i).loopCpuUs();
            rate[i] = b.get(i).result().requestsPerSecond() / a.get(i).result().requestsPerSecond();
        }
        return String.format(Locale.ROOT, "per round pair: %s − %s JVM CPU us/req %s (median %.2f), loop thread %s (median %.2f); "
                        + "%s/%s req/s %s (median %.2fx)%n",
                c[0], c[1], list(cpu, "%.2f"), median(sorted(cpu)), list(loop, "%.2f"), median(sorted(loop)), c[1], c[0],
                list(rate, "%.2f"), median(sorted(rate)));
    }

    private static double[] sorted(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s;
    }

    private static String list(double[] v, String format) {
        StringBuilder s = new StringBuilder();
        for (double x : v) {
            s.append(s.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, format, x));
        }
        return s.toString();
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
