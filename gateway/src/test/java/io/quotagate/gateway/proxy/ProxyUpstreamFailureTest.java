package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Upstream failures (refused, slow, cut off) become 502/504 or a closed connection, and settle exactly once. */
class ProxyUpstreamFailureTest {

    private RecordingUpstream upstream;
    private GatewayFixture gateway;
    private RecordingAdmission admission;

    private void start(GatewayConfig config) {
        admission = new RecordingAdmission(RouteTable.of(config));
        gateway = GatewayFixture.start(config, admission);
    }

    private void startWithUpstream(TestConfigs.Builder builder) {
        upstream = RecordingUpstream.start();
        start(builder.upstream(upstream.url()).build());
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void connectRefusedGives502AndKeepsTheClientConnection() throws Exception {
        start(TestConfigs.builder().upstream(URI.create("http://127.0.0.1:" + closedPort())).build());
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
            RawResponse response = client.readResponse();
            assertThat(response.status()).isEqualTo(502);
            assertThat(response.bodyText()).contains("\"code\":\"upstream_unavailable\"");
            client.send("GET /test/b HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(502);
        }
        assertThat(admission.awaitSettlements(2, Duration.ofSeconds(2))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.TRANSPORT_ERROR, UpstreamOutcome.TRANSPORT_ERROR);
    }

    @Test
    void connectRefusedWithAnUnreadBodyClosesTheConnection() throws Exception {
        // body_buffer 0: the body streams, so it is still unread when the connect fails
        start(TestConfigs.builder().upstream(URI.create("http://127.0.0.1:" + closedPort())).bodyBuffer(0).build());
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
            RawResponse response = client.readResponse();
            assertThat(response.status()).isEqualTo(502);
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).isTrue();
        }
    }

    @Test
    void connectRefusedAfterASmallBodyWasReadWholeKeepsTheConnection() throws Exception {
        start(TestConfigs.builder().upstream(URI.create("http://127.0.0.1:" + closedPort())).build());
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
            RawResponse response = client.readResponse();
            assertThat(response.status()).isEqualTo(502);
            assertThat(response.header("Connection")).isNull(); // the body was held whole: the stream is in step
            client.send("GET /test/b HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(502);
        }
    }

    @Test
    void slowUpstreamGives504() throws Exception {
        startWithUpstream(TestConfigs.builder().responseTimeout(Duration.ofMillis(300)));
        upstream.respondWith(UpstreamReply.ok("late").delay(Duration.ofSeconds(2)));
        long start = System.nanoTime();
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/slow HTTP/1.1\r\nHost: h\r\n\r\n");
            RawResponse response = client.readResponse();
            assertThat(response.status()).isEqualTo(504);
            assertThat(response.bodyText()).contains("\"code\":\"upstream_timeout\"");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
            // the client connection stays usable; the timed-out upstream connection is not reused
            upstream.respondWith(UpstreamReply.ok("fast"));
            client.send("GET /test/fast HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().bodyText()).isEqualTo("fast");
        }
        assertThat(upstream.connectionsAccepted()).isEqualTo(2);
        assertThat(admission.awaitSettlements(2, Duration.ofSeconds(2))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.TIMEOUT, UpstreamOutcome.responded(200));
    }

    @Test
    void upstreamClosingBeforeTheHeadGives502() throws Exception {
        startWithUpstream(TestConfigs.builder());
        upstream.respondWith(UpstreamReply.hangUp());
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(502);
        }
        assertThat(admission.awaitSettlements(1, Duration.ofSeconds(2))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.TRANSPORT_ERROR);
        assertThat(upstream.requestCount()).isEqualTo(1); // sent once, never retried
    }

    @Test
    void upstreamClosingMidResponseClosesTheClientAndSettlesAsATransportError() throws Exception {
        startWithUpstream(TestConfigs.builder());
        upstream.respondWith(UpstreamReply.status(200).streaming(1_000_000).abortAfter(100_000));
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
            String received = client.readUntilClose();
            assertThat(received).startsWith("HTTP/1.1 200 OK");
            assertThat(received.length()).isLessThan(1_000_000);
        }
        // The client got a truncated response: the attempt ended in a transport error (refunded), not in the 200.
        assertThat(admission.awaitSettlements(1, Duration.ofSeconds(2))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.TRANSPORT_ERROR);
    }

    @Test
    void upstreamConnectionClosePreventsReuse() {
        startWithUpstream(TestConfigs.builder());
        upstream.respondWith(UpstreamReply.ok("x").closeConnection());
        try (RawHttpClient client = gateway.connect()) {
            for (int i = 0; i < 3; i++) {
                client.send("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
                RawResponse response = client.readResponse();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.header("Connection")).isNull(); // the client's connection is not the upstream's
            }
        }
        assertThat(upstream.connectionsAccepted()).isEqualTo(3);
    }

    @Test
    void idlePooledConnectionClosedByTheUpstreamIsNotUsed() throws Exception {
        startWithUpstream(TestConfigs.builder());
        int port = upstream.port();
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
            upstream.close(); // closes the pooled connection from the upstream's side
            upstream = null;
            // Keep the port ours (another process could otherwise take it and answer): a listener that counts
            // connections and closes each at once. A fresh connection shows the stale one was not reused.
            try (ServerSocket replacement = new ServerSocket()) {
                replacement.setReuseAddress(true);
                replacement.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                AtomicInteger accepted = new AtomicInteger();
                Thread acceptor = new Thread(() -> {
                    try (Socket s = replacement.accept()) {
                        accepted.incrementAndGet();
                    } catch (IOException ignored) {
                        // closed at the end of the test
                    }
                });
                acceptor.start();
                long deadline = System.nanoTime() + 5_000_000_000L; // the pool notices the close by itself
                while (gateway.gateway().upstreamPools().openConnections() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(gateway.gateway().upstreamPools().openConnections()).isZero();
                client.send("GET /test/b HTTP/1.1\r\nHost: h\r\n\r\n");
                assertThat(client.readResponse().status()).isEqualTo(502); // closed without an answer
                acceptor.join(5_000);
                assertThat(accepted.get()).as("a fresh upstream connection, not the stale pooled one").isEqualTo(1);
            }
        }
    }

    @Test
    void poolIdleTimeoutClosesIdleUpstreamConnections() throws Exception {
        startWithUpstream(TestConfigs.builder().poolIdleTimeout(Duration.ofMillis(200)));
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
            assertThat(upstream.openConnections()).isEqualTo(1);
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (upstream.openConnections() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(upstream.openConnections()).isZero();
            client.send("GET /test/b HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        assertThat(upstream.connectionsAccepted()).isEqualTo(2);
    }

    @Test
    void maxConnectionsBoundsTheUpstreamConnections() throws Exception {
        startWithUpstream(TestConfigs.builder().ioThreads(1).maxConnections(2));
        upstream.respondWith(UpstreamReply.ok("x").delay(Duration.ofMillis(150)));
        List<RawHttpClient> clients = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                RawHttpClient c = gateway.connect();
                clients.add(c);
                c.send("GET /test/" + i + " HTTP/1.1\r\nHost: h\r\n\r\n");
            }
            for (RawHttpClient c : clients) {
                assertThat(c.readResponse().status()).isEqualTo(200);
            }
        } finally {
            clients.forEach(RawHttpClient::close);
        }
        assertThat(upstream.connectionsAccepted()).isEqualTo(2);
    }

    @Test
    void clientLeavingBeforeTheHeadStillSettlesWithTheUpstreamStatus() throws Exception {
        startWithUpstream(TestConfigs.builder());
        upstream.respondWith(UpstreamReply.status(500).body("boom").delay(Duration.ofMillis(300)));
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/a HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi");
            upstream.awaitRequests(1, Duration.ofSeconds(2));
        }
        assertThat(admission.awaitSettlements(1, Duration.ofSeconds(3))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.responded(500));
        Thread.sleep(200);
        assertThat(admission.settlements()).hasSize(1);
    }

    @Test
    void clientLeavingMidBodySettlesAsTransportError() throws Exception {
        // body_buffer 0: the start of the body went upstream (a held body is never sent: ProxyTruncatedRequestTest)
        startWithUpstream(TestConfigs.builder().bodyBuffer(0));
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/a HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\npartial");
            Thread.sleep(200);
        }
        assertThat(admission.awaitSettlements(1, Duration.ofSeconds(3))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.TRANSPORT_ERROR);
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void clientLeavingDuringAdmissionSettlesNotSent() throws Exception {
        startWithUpstream(TestConfigs.builder());
        admission.delay(Duration.ofMillis(300));
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
            Thread.sleep(50);
        }
        assertThat(admission.awaitSettlements(1, Duration.ofSeconds(3))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.NOT_SENT);
        Thread.sleep(200);
        assertThat(upstream.headsReceived()).isZero();
    }

    @Test
    void everySuccessfulExchangeSettlesOnceWithItsStatus() throws Exception {
        startWithUpstream(TestConfigs.builder());
        upstream.respondWith(r -> UpstreamReply.status(r.uri().endsWith("404") ? 404 : 201).body("x"));
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/ok HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(201);
            client.send("GET /test/404 HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(404);
            client.send("GET /nowhere HTTP/1.1\r\nHost: h\r\n\r\n"); // rejected: nothing to settle
            assertThat(client.readResponse().status()).isEqualTo(404);
        }
        Thread.sleep(100);
        assertThat(admission.settlements()).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.responded(201), UpstreamOutcome.responded(404));
        assertThat(admission.settlements()).extracting(s -> s.admitted().requestId()).doesNotHaveDuplicates();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
