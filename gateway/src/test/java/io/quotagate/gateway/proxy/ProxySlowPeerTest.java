package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.testkit.GatewayFixture;
import io.quotagate.gateway.testkit.PooledMemoryProbe;
import io.quotagate.gateway.testkit.ScriptedUpstream;
import io.quotagate.gateway.testkit.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Backpressure end to end with a peer that is slower than the other: the gateway must stop reading the fast side,
 * so the fast peer's blocking writes stall (observed as a byte counter that stops moving far below the body size),
 * and the gateway's pooled memory stays small while the body is many times larger. The slow side reads with a small
 * socket buffer, pauses, then trickles, then drains; what is held in kernel socket buffers along the way is not the
 * gateway's memory but bounds how far the fast peer can get ahead ({@link #AHEAD}).
 */
class ProxySlowPeerTest {

    private static final long BODY = 128L << 20;
    /** Bound of the gateway's pooled memory in live buffers: 1/32 of the body (as in {@link ProxyStreamingTest}). */
    private static final long POOLED = 4L << 20;
    /**
     * How far the fast peer may get ahead of the slow one: the gateway's share plus the kernel's socket buffers on
     * the way, which Linux autotunes up to tens of MiB (5 to 10 MiB were seen here); without backpressure the fast
     * peer would write the whole body at once.
     */
    private static final long AHEAD = BODY / 2;
    private static final int SMALL_BUFFER = 64 * 1024;
    private static final int STEP = 256 * 1024;

    private ScriptedUpstream upstream;
    private GatewayFixture gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private void startGateway() {
        gateway = GatewayFixture.start(TestConfigs.builder().upstream(upstream.url()).maxBody(2 * BODY)
                .responseTimeout(Duration.ofSeconds(30)).build());
    }

    @Test
    @Timeout(30)
    void aSlowClientStallsTheUpstreamAndTheGatewayHoldsLittle() throws Exception {
        AtomicLong written = new AtomicLong();
        upstream = ScriptedUpstream.start((connection, socket) -> {
            socket.setSendBufferSize(SMALL_BUFFER);
            ScriptedUpstream.readHead(socket.getInputStream());
            ScriptedUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: " + BODY + "\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            byte[] block = new byte[64 * 1024];
            while (written.get() < BODY) {
                out.write(block); // blocks while the gateway does not read
                written.addAndGet(block.length);
            }
            socket.getInputStream().read(); // keep the connection until the gateway closes it
        });
        startGateway();
        try (Socket client = slowSocket(); PooledMemoryProbe probe = PooledMemoryProbe.start()) {
            client.getOutputStream().write("GET /test/download HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            assertThat(ScriptedUpstream.readHead(in)).startsWith("HTTP/1.1 200 OK").contains("Content-Length: " + BODY);
            long read = 0;

            long first = awaitStall("upstream body bytes written while the client reads nothing", written::get);
            assertThat(first).as("the upstream must be blocked long before the end of the body").isLessThan(AHEAD);

            byte[] buffer = new byte[STEP];
            for (int i = 0; i < 8; i++) { // trickle: 256 KiB every 100 ms
                read += in.readNBytes(buffer, 0, STEP);
                Thread.sleep(100);
                assertThat(written.get() - read).as("how far the upstream is ahead of the client").isLessThan(AHEAD);
            }
            long second = awaitStall("upstream body bytes written after the client read " + read, written::get);
            assertThat(second).as("the upstream moved on as the client read").isGreaterThan(first);
            assertThat(second - read).as("how far the upstream is ahead of the client").isLessThan(AHEAD);

            int n;
            while (read < BODY && (n = in.read(buffer, 0, (int) Math.min(buffer.length, BODY - read))) > 0) {
                read += n;
            }
            assertThat(read).isEqualTo(BODY);
            probe.assertPeakBelow(POOLED);
        }
        assertThat(written.get()).isEqualTo(BODY);
    }

    @Test
    @Timeout(30)
    void aSlowUpstreamStallsTheClientAndTheGatewayHoldsLittle() throws Exception {
        AtomicLong allowed = new AtomicLong(); // how many body bytes the upstream may read so far
        AtomicLong received = new AtomicLong();
        upstream = ScriptedUpstream.start(SMALL_BUFFER, (connection, socket) -> {
            InputStream in = socket.getInputStream();
            ScriptedUpstream.readHead(in);
            byte[] buffer = new byte[64 * 1024];
            while (received.get() < BODY) {
                long may = allowed.get() - received.get();
                if (may <= 0) {
                    Thread.sleep(5);
                    continue;
                }
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, may));
                if (n < 0) {
                    return;
                }
                received.addAndGet(n);
            }
            ScriptedUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            in.read(); // keep the connection until the gateway closes it
        });
        startGateway();
        AtomicLong sent = new AtomicLong();
        try (Socket client = slowSocket(); PooledMemoryProbe probe = PooledMemoryProbe.start()) {
            Thread writer = new Thread(() -> upload(client, sent), "slow-upstream-test-client");
            writer.setDaemon(true);
            writer.start();

            long first = awaitStall("client body bytes written while the upstream reads nothing", sent::get);
            assertThat(first).as("the client must be blocked long before the end of the body").isLessThan(AHEAD);

            for (int i = 0; i < 8; i++) { // trickle: 256 KiB every 100 ms
                allowed.addAndGet(STEP);
                Thread.sleep(100);
                assertThat(sent.get() - received.get()).as("how far the client is ahead of the upstream").isLessThan(AHEAD);
            }
            long second = awaitStall("client body bytes written after the upstream read " + received.get(), sent::get);
            assertThat(second).as("the client moved on as the upstream read").isGreaterThan(first);
            assertThat(second - received.get()).as("how far the client is ahead of the upstream").isLessThan(AHEAD);

            allowed.set(Long.MAX_VALUE);
            writer.join(20_000);
            assertThat(sent.get()).isEqualTo(BODY);
            client.setSoTimeout(10_000);
            String response = new String(client.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(response).isEqualTo("HTTP/1.1 200");
            probe.assertPeakBelow(POOLED);
        }
        assertThat(received.get()).isEqualTo(BODY);
    }

    /** A client socket with a small receive and send buffer, set before connecting so the window starts small. */
    private Socket slowSocket() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(SMALL_BUFFER);
        socket.setSendBufferSize(SMALL_BUFFER);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), gateway.port()), 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Writes a PUT of {@link #BODY} bytes, counting body bytes as each blocking write returns. */
    private static void upload(Socket client, AtomicLong sent) {
        try {
            OutputStream out = client.getOutputStream();
            out.write(("PUT /test/upload HTTP/1.1\r\nHost: h\r\nContent-Length: " + BODY + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] block = new byte[64 * 1024];
            while (sent.get() < BODY) {
                out.write(block);
                sent.addAndGet(block.length);
            }
        } catch (IOException e) {
            // the test failed or ended; its assertions on `sent` tell
        }
    }

    /**
     * Waits until {@code counter} stopped moving for 500 ms and returns its value; fails when the counter does not
     * stall within 10 s (the writing peer was never blocked).
     */
    private static long awaitStall(String what, LongSupplier counter) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long value = counter.getAsLong();
        long since = System.nanoTime();
        while (System.nanoTime() - since < Duration.ofMillis(500).toNanos()) {
            assertThat(System.nanoTime()).as(what + " never stopped growing (now " + value + ")").isLessThan(deadline);
            Thread.sleep(20);
            long now = counter.getAsLong();
            if (now != value) {
                value = now;
                since = System.nanoTime();
            }
        }
        System.err.printf("%s: stalled at %d%n", what, value);
        return value;
    }
}
