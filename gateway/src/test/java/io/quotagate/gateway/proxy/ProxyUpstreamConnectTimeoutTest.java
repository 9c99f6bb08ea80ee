package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quotagate.gateway.admission.UpstreamOutcome;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.route.RouteTable;
import io.quotagate.gateway.testkit.GatewayFixture;
import io.quotagate.gateway.testkit.RawHttpClient;
import io.quotagate.gateway.testkit.RawHttpClient.RawResponse;
import io.quotagate.gateway.testkit.RecordingAdmission;
import io.quotagate.gateway.testkit.RecordingAdmission.Settlement;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.TestConfigs;
import io.quotagate.gateway.testkit.UpstreamReply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code upstream.connect_timeout} bounds both ways of waiting for an upstream connection: a connect that hangs,
 * and a wait for a slot of a pool whose {@code max_connections} are all busy. Either ends in 502
 * {@code upstream_unavailable}, settled once as {@code TRANSPORT_ERROR} (which quota admission refunds), and the
 * request is never sent.
 */
class ProxyUpstreamConnectTimeoutTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
    /** Scheduling slack on top of the connect timeout; a hang would be the response timeout or more. */
    private static final Duration SLACK = Duration.ofMillis(1000);

    private GatewayFixture gateway;
    private RecordingAdmission admission;
    private RecordingUpstream upstream;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private void start(URI upstreamUrl) {
        GatewayConfig config = TestConfigs.builder().upstream(upstreamUrl).ioThreads(1).maxConnections(1)
                .connectTimeout(CONNECT_TIMEOUT).responseTimeout(Duration.ofSeconds(10)).build();
        admission = new RecordingAdmission(RouteTable.of(config));
        gateway = GatewayFixture.start(config, admission);
    }

    @Test
    void aConnectThatHangsIs502AfterTheConnectTimeout() throws Exception {
        try (SilentListener listener = SilentListener.open()) {
            start(listener.url());
            try (RawHttpClient client = gateway.connect()) {
                for (String path : List.of("/test/a", "/test/b")) {
                    long started = System.nanoTime();
                    client.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n");
                    RawResponse response = client.readResponse();
                    Duration took = Duration.ofNanos(System.nanoTime() - started);
                    assertThat(response.status()).isEqualTo(502);
                    assertThat(response.bodyText()).contains("\"code\":\"upstream_unavailable\"");
                    assertThat(took).as("answered after the connect timeout, not at once (refused) nor later")
                            .isGreaterThanOrEqualTo(CONNECT_TIMEOUT.minusMillis(50)).isLessThan(CONNECT_TIMEOUT.plus(SLACK));
                    // the failed connect gave its slot back (max_connections is 1)
                    awaitNoOpenUpstreamConnection();
                }
            }
        }
        assertThat(admission.awaitSettlements(2, Duration.ofSeconds(2))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.TRANSPORT_ERROR, UpstreamOutcome.TRANSPORT_ERROR);
    }

    @Test
    void aRequestWaitingForABusyPoolIs502AfterTheConnectTimeoutAndNeverSent() throws Exception {
        upstream = RecordingUpstream.start();
        upstream.respondWith(UpstreamReply.ok("slow").delay(Duration.ofSeconds(2)));
        start(upstream.url());
        try (RawHttpClient busy = gateway.connect(); RawHttpClient waiting = gateway.connect()) {
            busy.send("GET /test/busy HTTP/1.1\r\nHost: h\r\n\r\n");
            upstream.awaitRequests(1, Duration.ofSeconds(2)); // the only connection is now taken for 2 s
            long started = System.nanoTime();
            waiting.send("GET /test/waiting HTTP/1.1\r\nHost: h\r\n\r\n");
            RawResponse response = waiting.readResponse();
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(response.status()).isEqualTo(502);
            assertThat(response.bodyText()).contains("\"code\":\"upstream_unavailable\"");
            assertThat(took).as("the wait for a pool slot is bounded by the connect timeout")
                    .isGreaterThanOrEqualTo(CONNECT_TIMEOUT.minusMillis(50)).isLessThan(CONNECT_TIMEOUT.plus(SLACK));

            RawResponse slow = busy.readResponse();
            assertThat(slow.status()).isEqualTo(200);
            assertThat(slow.bodyText()).isEqualTo("slow");
            // the waiting client's connection stays usable, and the freed connection serves it
            upstream.respondWith(UpstreamReply.ok("next"));
            waiting.send("GET /test/next HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(waiting.readResponse().bodyText()).isEqualTo("next");
        }
        assertThat(upstream.requests()).extracting(r -> r.uri()).containsExactly("/test/busy", "/test/next");
        assertThat(upstream.headsReceived()).as("the request that timed out waiting was never sent").isEqualTo(2);
        assertThat(upstream.connectionsAccepted()).isEqualTo(1);
        assertThat(admission.awaitSettlements(3, Duration.ofSeconds(2))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.TRANSPORT_ERROR, UpstreamOutcome.responded(200), UpstreamOutcome.responded(200));
    }

    private void awaitNoOpenUpstreamConnection() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (gateway.gateway().upstreamPools().openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(gateway.gateway().upstreamPools().openConnections()).as("upstream connections counted open").isZero();
    }

    /**
     * A loopback listener to which a connect hangs: backlog 1, never accepting, its accept queue filled by
     * connections of its own. Linux then drops further SYNs (with {@code tcp_abort_on_overflow} off, the default),
     * so a connect neither succeeds nor is refused. {@link #open()} checks that a connect really hangs.
     */
    private static final class SilentListener implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> fillers = new ArrayList<>();

        private SilentListener() throws IOException {
            server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        }

        static SilentListener open() throws IOException {
            SilentListener listener = new SilentListener();
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.server.getLocalPort());
            boolean hangs = false;
            for (int i = 0; i < 16 && !hangs; i++) {
                Socket socket = new Socket();
                try {
                    socket.connect(address, 300);
                    listener.fillers.add(socket);
                } catch (SocketTimeoutException e) {
                    socket.close();
                    hangs = true;
                }
            }
            if (!hangs) {
                listener.close();
            }
            assumeTrue(hangs, "this system does not leave a connect to a full accept queue hanging");
            return listener;
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            for (Socket socket : fillers) {
                socket.close();
            }
            server.close();
        }
    }
}
