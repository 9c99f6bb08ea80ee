package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.admission.UpstreamOutcome;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.route.RouteTable;
import io.quotagate.gateway.testkit.GatewayFixture;
import io.quotagate.gateway.testkit.RawHttpClient;
import io.quotagate.gateway.testkit.RecordingAdmission;
import io.quotagate.gateway.testkit.RecordingAdmission.Settlement;
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
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The two idle rules of a streaming response, which tell whom the exchange waits on: {@code upstream.idle_timeout}
 * (the upstream stalls mid-body while the client reads: a transport error, refunded, the client cut) and
 * {@code server.write_idle} (the client stops reading: cut, settled by the status it was being sent). Each rule
 * must not fire while the exchange waits on the other side.
 */
class ProxyStallTest {

    private static final Duration UPSTREAM_IDLE = Duration.ofMillis(400);
    private static final Duration WRITE_IDLE = Duration.ofMillis(1200);

    private ScriptedUpstream upstream;
    private GatewayFixture gateway;
    private RecordingAdmission admission;
    /** Counted down when a script saw the gateway close its connection. */
    private final CountDownLatch upstreamClosed = new CountDownLatch(1);

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private void start(ScriptedUpstream.Script script) {
        upstream = ScriptedUpstream.start(script);
        GatewayConfig config = TestConfigs.builder().upstream(upstream.url()).ioThreads(1)
                .upstreamIdleTimeout(UPSTREAM_IDLE).writeIdle(WRITE_IDLE).build();
        admission = new RecordingAdmission(RouteTable.of(config));
        gateway = GatewayFixture.start(config, admission);
    }

    @Test
    @Timeout(10)
    void anUpstreamThatStallsMidBodyIsCutAsATransportError() throws Exception {
        start((connection, socket) -> {
            ScriptedUpstream.readHead(socket.getInputStream());
            ScriptedUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(100));
            awaitClose(socket); // and never another byte
        });
        try (RawHttpClient client = gateway.connect()) {
            long started = System.nanoTime();
            client.send("GET /test/stall HTTP/1.1\r\nHost: h\r\n\r\n");
            String received = client.timeout(Duration.ofSeconds(5)).readUntilClose();
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertThat(received).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\n" + "x".repeat(100));
            assertThat(tookMs).isBetween(UPSTREAM_IDLE.toMillis(), UPSTREAM_IDLE.toMillis() + 1500);
        }
        assertThat(upstreamClosed.await(2, TimeUnit.SECONDS)).as("the gateway closed the stalled upstream").isTrue();
        assertThat(admission.awaitSettlements(1, Duration.ofSeconds(2))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.TRANSPORT_ERROR);
    }

    @Test
    @Timeout(10)
    void anUpstreamThatIsSlowButNeverIdleThatLongIsNotCut() throws Exception {
        start((connection, socket) -> {
            ScriptedUpstream.readHead(socket.getInputStream());
            ScriptedUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n");
            for (int i = 0; i < 8; i++) {
                Thread.sleep(UPSTREAM_IDLE.toMillis() / 2); // 1.6 s in all: four idle timeouts, never one gap
                ScriptedUpstream.write(socket, "y");
            }
            awaitClose(socket);
        });
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/slow HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().bodyText()).isEqualTo("yyyyyyyy");
        }
        assertThat(admission.awaitSettlements(1, Duration.ofSeconds(2))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.responded(200));
    }

    @Test
    @Timeout(20)
    void aClientThatStopsReadingIsCutAndChargedByTheStatusItWasSent() throws Exception {
        AtomicLong written = new AtomicLong();
        start((connection, socket) -> {
            ScriptedUpstream.readHead(socket.getInputStream());
            ScriptedUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: " + (1L << 30) + "\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            byte[] block = new byte[16 * 1024];
            try {
                while (true) {
                    out.write(block); // blocks once the gateway stops reading: the upstream is not what stalls
                    written.addAndGet(block.length);
                }
            } catch (IOException closed) {
                upstreamClosed.countDown();
            }
        });
        try (Socket client = smallWindowClient()) {
            client.getOutputStream().write("GET /test/big HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            assertThat(ScriptedUpstream.readHead(in)).startsWith("HTTP/1.1 200 OK");
            long stoppedReading = System.nanoTime();
            // ... and reads nothing more. The upstream idle timeout (shorter) must not fire: the exchange waits on us.

            List<Settlement> settled = admission.awaitSettlements(1, Duration.ofSeconds(10));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedReading);

            assertThat(settled).extracting(Settlement::outcome).containsExactly(UpstreamOutcome.responded(200));
            assertThat(tookMs).isBetween(WRITE_IDLE.toMillis() - 100, WRITE_IDLE.toMillis() + 3000);
            assertThat(upstreamClosed.await(3, TimeUnit.SECONDS)).as("the upstream connection was closed too").isTrue();
            assertThat(written.get()).as("the upstream was held back, not read to the end").isLessThan(1L << 28);
        }
    }

    /** A client whose receive window is small, so the gateway's writes back up soon after it stops reading. */
    private Socket smallWindowClient() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(16 * 1024);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), gateway.port()), 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Blocks until the gateway closes the connection (end of stream or reset). */
    private void awaitClose(Socket socket) {
        try {
            while (socket.getInputStream().read() >= 0) {
                // nothing more is expected; keep reading until the close
            }
        } catch (IOException reset) {
            // closed
        }
        upstreamClosed.countDown();
    }
}
