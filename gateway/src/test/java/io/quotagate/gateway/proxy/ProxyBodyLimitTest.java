package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.testkit.GatewayFixture;
import io.quotagate.gateway.testkit.RawHttpClient;
import io.quotagate.gateway.testkit.RawHttpClient.RawResponse;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RecordingUpstream.RecordedRequest;
import io.quotagate.gateway.testkit.TestConfigs;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code server.max_body} (413 before the body is read, and mid-stream for chunked bodies) and {@code Expect: 100-continue}. */
class ProxyBodyLimitTest {

    private static final int MAX_BODY = 1000;

    private RecordingUpstream upstream;
    private GatewayFixture gateway;

    @BeforeEach
    void start() {
        upstream = RecordingUpstream.start();
        gateway = GatewayFixture.start(TestConfigs.builder().upstream(upstream.url()).maxBody(MAX_BODY).build());
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void declaredLengthOverTheLimitGets413WithoutContinue() {
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/big HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1001\r\n\r\n");
            RawResponse response = client.readResponse(); // the first response, so no 100 came before it
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.bodyText()).contains("\"code\":\"payload_too_large\"");
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).isTrue();
        }
        assertThat(upstream.headsReceived()).isZero();
    }

    @Test
    void declaredLengthOverTheLimitWithTheBodyAlreadySentStillGets413() {
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/big HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n" + "x".repeat(5000));
            assertThat(client.readResponse().status()).isEqualTo(413);
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).isTrue();
        }
        assertThat(upstream.headsReceived()).isZero();
    }

    @Test
    void bodyAtTheLimitPasses() {
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/max HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(1000));
            assertThat(client.readResponse().status()).isEqualTo(200);
            client.send("POST /test/max HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + "y".repeat(1000) + "\r\n0\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        assertThat(upstream.awaitRequests(2, Duration.ofSeconds(3))).extracting(RecordedRequest::bodyBytes).containsExactly(1000L, 1000L);
    }

    @Test
    void chunkedBodyGrowingPastTheLimitIsCutWith413() throws InterruptedException {
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/chunks HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" + "a".repeat(600) + "\r\n");
            Thread.sleep(100);
            client.send("258\r\n" + "b".repeat(600) + "\r\n");
            RawResponse response = client.readResponse();
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.bodyText()).contains("\"code\":\"payload_too_large\"");
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).isTrue();
        }
        Thread.sleep(100);
        assertThat(upstream.requestCount()).as("complete requests upstream").isZero();
    }

    @Test
    void expectContinueIsAnsweredAfterAdmissionAndTheBodyForwarded() {
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/upload HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            RawResponse interim = client.readResponse();
            assertThat(interim.status()).isEqualTo(100);
            client.send("hello");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        RecordedRequest seen = upstream.awaitRequest();
        assertThat(seen.bodyText()).isEqualTo("hello");
        assertThat(seen.header("Expect")).isNull();
    }

    @Test
    void expectContinueOnAnUnknownRouteGetsTheRejectionInsteadOfContinue() {
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /nowhere HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            RawResponse response = client.readResponse();
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).isTrue();
        }
        assertThat(upstream.headsReceived()).isZero();
    }
}
