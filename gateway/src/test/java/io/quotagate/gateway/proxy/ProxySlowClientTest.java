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
import io.quotagate.gateway.testkit.ScriptedUpstream;
import io.quotagate.gateway.testkit.TestConfigs;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow request bodies ({@code server.body_timeout}) and small bodies held before forwarding
 * ({@code server.body_buffer}): a client trickling its body is answered 408 and cut after one timeout; a small body
 * is read whole before any upstream connection is taken, so a trickler never holds one; the timeout counts only
 * while the gateway waits on the client, never while a slow upstream holds the body back.
 */
class ProxySlowClientTest {

    private static final Duration BODY_TIMEOUT = Duration.ofMillis(500);

    private RecordingUpstream upstream;
    private ScriptedUpstream scripted;
    private GatewayFixture gateway;
    private RecordingAdmission admission;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (scripted != null) {
            scripted.close();
        }
    }

    private void start(Consumer<TestConfigs.Builder> settings) {
        if (scripted == null) {
            upstream = RecordingUpstream.start();
        }
        TestConfigs.Builder builder = TestConfigs.builder()
                .upstream(scripted != null ? scripted.url() : upstream.url()).bodyTimeout(BODY_TIMEOUT);
        settings.accept(builder);
        GatewayConfig config = builder.build();
        admission = new RecordingAdmission(RouteTable.of(config));
        gateway = GatewayFixture.start(config, admission);
    }

    @Test
    @Timeout(10)
    void aSmallBodySentAByteEvery100msIsCutWith408AndNeverReachesTheUpstream() throws Exception {
        start(b -> { });
        try (RawHttpClient client = gateway.connect()) {
            long started = System.nanoTime();
            client.send("POST /test/slow HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n");
            RawResponse response = trickleUntilAnswered(client);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertThat(response.status()).isEqualTo(408);
            assertThat(response.bodyText()).contains("\"code\":\"request_timeout\"");
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(tookMs).isBetween(BODY_TIMEOUT.toMillis(), BODY_TIMEOUT.toMillis() + 1500);
        }
        assertThat(upstream.connectionsAccepted()).as("a held body takes no upstream connection").isZero();
        assertThat(admission.awaitSettlements(1, Duration.ofSeconds(2))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.NOT_SENT);
    }

    @Test
    @Timeout(10)
    void aLargeBodyThatSlowsToAByteEvery100msIsCutWith408AndTheUpstreamGetsNoCompleteRequest() throws Exception {
        start(b -> { });
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/slow HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000\r\n\r\n");
            client.send(new byte[20_000]); // past the 16 KiB buffer: the body streams to the upstream
            RawResponse response = trickleUntilAnswered(client);

            assertThat(response.status()).isEqualTo(408);
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).isTrue();
        }
        assertThat(upstream.headsReceived()).isEqualTo(1);
        awaitTruncated(1);
        assertThat(upstream.requests()).as("no complete request reached the upstream").isEmpty();
        assertThat(admission.awaitSettlements(1, Duration.ofSeconds(2))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.TRANSPORT_ERROR);
    }

    @Test
    @Timeout(10)
    void theBodyOfARejectedRequestThatTricklesIsCutToo() throws Exception {
        start(b -> { });
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /nowhere HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(404); // the body is then read and discarded
            long started = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < 40 && !closed; i++) {
                try {
                    client.send("x");
                    Thread.sleep(100);
                } catch (RuntimeException reset) {
                    closed = true;
                }
                closed = closed || client.closedByPeer(Duration.ofMillis(1));
            }
            assertThat(closed).as("the connection was closed while the discarded body trickled").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
                    .isBetween(BODY_TIMEOUT.toMillis() - 100, BODY_TIMEOUT.toMillis() + 2500);
        }
    }

    @Test
    @Timeout(10)
    void aBodyThatKeepsComingFasterThan16KiBPerTimeoutIsNotCut() throws Exception {
        start(b -> { });
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/steady HTTP/1.1\r\nHost: h\r\nContent-Length: 65536\r\n\r\n");
            for (int i = 0; i < 16; i++) { // 4 KiB every 100 ms: 16 KiB per 400 ms, 1.6 s in all (three timeouts)
                client.send(new byte[4096]);
                Thread.sleep(100);
            }
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        assertThat(upstream.awaitRequests(1, Duration.ofSeconds(2)).get(0).bodyBytes()).isEqualTo(65536);
    }

    @Test
    @Timeout(10)
    void aSmallBodyIsReadWholeBeforeAnUpstreamConnectionIsTaken() throws Exception {
        start(b -> { });
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/held HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nhello");
            Thread.sleep(300);
            assertThat(upstream.connectionsAccepted()).as("half the body arrived: no upstream connection yet").isZero();
            client.send("world");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        assertThat(upstream.awaitRequest().bodyText()).isEqualTo("helloworld");
    }

    @Test
    @Timeout(10)
    void expectContinueIsAnsweredBeforeASmallBodyIsHeld() throws Exception {
        start(b -> { });
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/held HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(100);
            client.send("hello");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        assertThat(upstream.awaitRequest().bodyText()).isEqualTo("hello");
    }

    @Test
    @Timeout(20)
    void theBodyTimeoutDoesNotRunWhileASlowUpstreamHoldsTheBodyBack() throws Exception {
        long body = 16L << 20;
        scripted = ScriptedUpstream.start(64 * 1024, (connection, socket) -> {
            InputStream in = socket.getInputStream();
            ScriptedUpstream.readHead(in);
            Thread.sleep(4 * BODY_TIMEOUT.toMillis()); // reads nothing: the client is held back by backpressure
            long left = body;
            byte[] buffer = new byte[64 * 1024];
            int n;
            while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
                left -= n;
            }
            ScriptedUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            in.read();
        });
        start(b -> b.maxBody(body));
        try (Socket client = new Socket()) {
            client.setSendBufferSize(64 * 1024);
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), gateway.port()), 5_000);
            client.setSoTimeout(15_000);
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = client.getOutputStream();
                    out.write(("PUT /test/upload HTTP/1.1\r\nHost: h\r\nContent-Length: " + body + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    byte[] block = new byte[64 * 1024];
                    for (long sent = 0; sent < body; sent += block.length) {
                        out.write(block);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String status = new String(client.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(status).isEqualTo("HTTP/1.1 200");
            upload.get(5, TimeUnit.SECONDS);
        }
    }

    /** Sends one body byte every 100 ms until the gateway answers (it must, within a few seconds). */
    private static RawResponse trickleUntilAnswered(RawHttpClient client) throws Exception {
        CompletableFuture<RawResponse> answer = CompletableFuture.supplyAsync(
                () -> client.timeout(Duration.ofSeconds(5)).readResponse());
        while (!answer.isDone()) {
            try {
                client.send("x");
            } catch (RuntimeException closed) {
                break; // the gateway closed its side; the answer is on its way or already read
            }
            Thread.sleep(100);
        }
        return answer.get(5, TimeUnit.SECONDS);
    }

    private void awaitTruncated(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (upstream.truncatedRequests() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(upstream.truncatedRequests()).as("requests the upstream saw cut off").isEqualTo(n);
    }
}
