package io.quotagate.gateway.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.testkit.GatewayFixture;
import io.quotagate.gateway.testkit.RawHttpClient;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.TestConfigs;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 500 slow-loris clients at once (250 trickling a request head, 250 a request body, each one byte a second, from
 * one address) do not raise the p99 latency of normal traffic by more than 1 ms. Normal traffic is four keep-alive
 * clients sending GETs back to back through a two-event-loop gateway to an in-process upstream. Its latency is
 * measured in {@link #ROUNDS} rounds of a quiet phase and a loaded one (the slow clients connected and trickling,
 * then closed), and the p99 of all loaded phases is compared with the p99 of all quiet ones: interleaving keeps a
 * change in the machine's background load from landing on one side only. Slow (about 15 s) and timing-sensitive:
 * tagged {@code fault}, run by {@code mvn -Pfault}; on a machine busy with other work the p99 measures the
 * scheduler, not the gateway (docs/reliability.md says what was measured where). For that reason it also reports
 * the event loops' CPU time, which a busy machine does not inflate: the slow clients' cost is the loaded phases'
 * event-loop CPU beyond what their normal requests cost at the quiet phases' rate.
 */
@Tag("fault")
class SlowlorisLoadFaultTest {

    private static final int SLOW_CLIENTS = 500;
    private static final int NORMAL_CLIENTS = 4;
    private static final Duration PHASE = Duration.ofMillis(1500);
    private static final int ROUNDS = 3;
    private static final long ONE_MS = 1_000_000;

    @Test
    @Timeout(60)
    void fiveHundredSlowClientsDoNotRaiseTheP99OfNormalTrafficByMoreThanOneMillisecond() throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start();
             GatewayFixture gateway = GatewayFixture.start(TestConfigs.builder().upstream(upstream.url()).ioThreads(2)
                     .build())) {
            measure(gateway, Duration.ofSeconds(2)); // warm-up: JIT, pools, connections
            List<long[]> quietPhases = new ArrayList<>();
            List<long[]> loadedPhases = new ArrayList<>();
            long quietCpu = 0;
            long loadedCpu = 0;
            for (int round = 0; round < ROUNDS; round++) {
                long cpu = eventLoopCpuNanos();
                quietPhases.add(measure(gateway, PHASE));
                quietCpu += eventLoopCpuNanos() - cpu;
                try (SlowClients slow = SlowClients.open(gateway.port(), SLOW_CLIENTS)) {
                    cpu = eventLoopCpuNanos();
                    loadedPhases.add(measure(gateway, PHASE, slow));
                    loadedCpu += eventLoopCpuNanos() - cpu;
                    assertThat(slow.stillOpen()).as("slow clients still connected at the end").isEqualTo(SLOW_CLIENTS);
                }
            }
            long[] quiet = merge(quietPhases);
            long[] loaded = merge(loadedPhases);

            long p99Quiet = percentile(quiet, 99);
            long p99Loaded = percentile(loaded, 99);
            System.out.printf("slow-loris load, %d rounds of %d ms: quiet p50 %.3f ms p99 %.3f ms (%d requests);"
                            + " with %d slow clients p50 %.3f ms p99 %.3f ms (%d); p99 difference %+.3f ms%n",
                    ROUNDS, PHASE.toMillis(), ms(percentile(quiet, 50)), ms(p99Quiet), quiet.length, SLOW_CLIENTS,
                    ms(percentile(loaded, 50)), ms(p99Loaded), loaded.length, ms(p99Loaded - p99Quiet));
            double cpuPerRequest = (double) quietCpu / quiet.length;
            double slowCpuPerSecond = (loadedCpu - cpuPerRequest * loaded.length) / (ROUNDS * PHASE.toNanos() / 1e9);
            System.out.printf("event loops: %.1f us CPU per normal request (quiet); the slow clients cost %.2f ms of"
                    + " event-loop CPU per second (%.2f%% of one core)%n", cpuPerRequest / 1e3, slowCpuPerSecond / 1e6,
                    slowCpuPerSecond / 1e7);
            assertThat(p99Loaded - p99Quiet).as("p99 rise in ns with %d slow clients", SLOW_CLIENTS).isLessThanOrEqualTo(ONE_MS);
        }
    }

    private static long[] measure(GatewayFixture gateway, Duration phase) throws Exception {
        return measure(gateway, phase, null);
    }

    /** Latencies (ns) of every request the normal clients completed in {@code phase}, while {@code slow} trickles. */
    private static long[] measure(GatewayFixture gateway, Duration phase, SlowClients slow) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(NORMAL_CLIENTS);
        long end = System.nanoTime() + phase.toNanos();
        try {
            List<Future<long[]>> runs = new ArrayList<>();
            for (int i = 0; i < NORMAL_CLIENTS; i++) {
                runs.add(pool.submit(() -> normalClient(gateway, end)));
            }
            if (slow != null) {
                while (System.nanoTime() < end) {
                    slow.trickle();
                    Thread.sleep(50);
                }
            }
            List<long[]> all = new ArrayList<>();
            for (Future<long[]> run : runs) {
                all.add(run.get(phase.toSeconds() + 10, TimeUnit.SECONDS));
            }
            return all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        } finally {
            pool.shutdownNow();
        }
    }

    private static long[] normalClient(GatewayFixture gateway, long end) {
        long[] latencies = new long[1 << 20];
        int n = 0;
        try (RawHttpClient client = gateway.connect()) {
            while (System.nanoTime() < end && n < latencies.length) {
                long start = System.nanoTime();
                client.send("GET /test/normal HTTP/1.1\r\nHost: h\r\n\r\n");
                int status = client.readResponse().status();
                latencies[n++] = System.nanoTime() - start;
                if (status != 200) {
                    throw new AssertionError("normal request answered " + status);
                }
            }
        }
        return Arrays.copyOf(latencies, n);
    }

    /** CPU time used so far by the gateway's event loop threads ({@code quotagate-io-*}). */
    private static long eventLoopCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("quotagate-io")) {
                total += Math.max(0, threads.getThreadCpuTime(thread.getId()));
            }
        }
        return total;
    }

    private static long[] merge(List<long[]> phases) {
        return phases.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    }

    private static long percentile(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /**
     * Non-blocking sockets, each sending its request one byte a second: the first half a head that never ends, the
     * second half a complete head whose 1 MB body never ends.
     */
    private static final class SlowClients implements AutoCloseable {
        private final List<SocketChannel> channels = new ArrayList<>();
        private final List<byte[]> scripts = new ArrayList<>();
        private final int[] sent;
        private long lastByteNanos;

        private SlowClients(int n) {
            sent = new int[n];
        }

        static SlowClients open(int port, int n) throws IOException {
            SlowClients slow = new SlowClients(n);
            String slowHead = "GET /test/slow HTTP/1.1\r\nHost: h\r\nX-Pad: " + "a".repeat(4000);
            String slowBody = "POST /test/slow HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000\r\n\r\n";
            for (int i = 0; i < n; i++) {
                SocketChannel channel = SocketChannel.open(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                channel.configureBlocking(false);
                slow.channels.add(channel);
                boolean body = i >= n / 2;
                slow.scripts.add((body ? slowBody + "x".repeat(100) : slowHead).getBytes(StandardCharsets.US_ASCII));
                if (body) {
                    // the head at once, then the body a byte a second
                    slow.sent[i] = slowBody.length();
                    channel.write(ByteBuffer.wrap(slow.scripts.get(i), 0, slow.sent[i]));
                }
            }
            return slow;
        }

        /** One more byte from every client once a second has passed since the last round. */
        void trickle() throws IOException {
            if (System.nanoTime() - lastByteNanos < TimeUnit.SECONDS.toNanos(1)) {
                return;
            }
            lastByteNanos = System.nanoTime();
            for (int i = 0; i < channels.size(); i++) {
                if (sent[i] < scripts.get(i).length) {
                    channels.get(i).write(ByteBuffer.wrap(scripts.get(i), sent[i]++, 1));
                }
            }
        }

        /** Clients whose connection the gateway has not closed (a read sees neither end of stream nor a reset). */
        int stillOpen() {
            int open = 0;
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            for (SocketChannel channel : channels) {
                try {
                    buffer.clear();
                    if (channel.read(buffer) == 0) {
                        open++;
                    }
                } catch (IOException reset) {
                    // closed by the gateway
                }
            }
            return open;
        }

        @Override
        public void close() throws IOException {
            for (SocketChannel channel : channels) {
                channel.close();
            }
        }
    }
}
