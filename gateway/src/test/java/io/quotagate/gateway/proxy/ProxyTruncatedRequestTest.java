package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.admission.UpstreamOutcome;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.route.RouteTable;
import io.quotagate.gateway.testkit.GatewayFixture;
import io.quotagate.gateway.testkit.RawHttpClient;
import io.quotagate.gateway.testkit.RecordingAdmission;
import io.quotagate.gateway.testkit.RecordingAdmission.Settlement;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.TestConfigs;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that goes away in the middle of its request body (shorter than its Content-Length, or chunked without
 * the last chunk): the upstream never gets a complete-looking request. A large body was streaming: the upstream
 * connection is closed after the bytes that came, and the call settles as a transport error (refunded). A small
 * body was still held ({@code server.body_buffer}): nothing reached the upstream at all ({@code NOT_SENT}, refunded).
 */
class ProxyTruncatedRequestTest {

    private RecordingUpstream upstream;
    private GatewayFixture gateway;
    private RecordingAdmission admission;

    @BeforeEach
    void start() {
        upstream = RecordingUpstream.start();
        GatewayConfig config = TestConfigs.builder().upstream(upstream.url()).build();
        admission = new RecordingAdmission(RouteTable.of(config));
        gateway = GatewayFixture.start(config, admission);
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void aStreamingBodyShorterThanItsContentLengthClosesTheUpstreamAndIsATransportError() throws Exception {
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/cut HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n");
            client.send(new byte[50_000]);
            awaitHeads(1);
        } // the client goes away, 50 000 bytes short

        assertUpstreamSawACutOffRequest();
        assertSettled(UpstreamOutcome.TRANSPORT_ERROR);
    }

    @Test
    void aStreamingChunkedBodyWithoutItsLastChunkClosesTheUpstreamAndIsATransportError() throws Exception {
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/cut HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 3; i++) { // 24 KiB: past the buffer, so it streams
                client.send("2000\r\n");
                client.send(new byte[0x2000]);
                client.send("\r\n");
            }
            awaitHeads(1);
        } // no 0-size chunk: the body never ended

        assertUpstreamSawACutOffRequest();
        assertSettled(UpstreamOutcome.TRANSPORT_ERROR);
    }

    @Test
    void aSmallBodyShorterThanItsContentLengthNeverReachesTheUpstream() throws Exception {
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/cut HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n" + "x".repeat(60));
            Thread.sleep(200);
        }
        assertSettled(UpstreamOutcome.NOT_SENT);
        assertThat(upstream.connectionsAccepted()).isZero();
    }

    @Test
    void aSmallChunkedBodyWithoutItsLastChunkNeverReachesTheUpstream() throws Exception {
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/cut HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            Thread.sleep(200);
        }
        assertSettled(UpstreamOutcome.NOT_SENT);
        assertThat(upstream.connectionsAccepted()).isZero();
    }

    private void assertUpstreamSawACutOffRequest() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (upstream.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(upstream.openConnections()).as("the gateway closed the upstream connection").isZero();
        assertThat(upstream.truncatedRequests()).as("the upstream saw the request end early").isEqualTo(1);
        assertThat(upstream.requests()).as("no complete request reached the upstream").isEmpty();
    }

    private void assertSettled(UpstreamOutcome outcome) throws InterruptedException {
        assertThat(admission.awaitSettlements(1, Duration.ofSeconds(3))).extracting(Settlement::outcome)
                .containsExactly(outcome);
    }

    private void awaitHeads(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (upstream.headsReceived() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(upstream.headsReceived()).isEqualTo(n);
        Thread.sleep(100); // let the body bytes sent so far reach the upstream too
    }
}
