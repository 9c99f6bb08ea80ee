package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quotagate.gateway.testkit.GatewayFixture;
import io.quotagate.gateway.testkit.RawHttpClient;
import io.quotagate.gateway.testkit.RawHttpClient.RawResponse;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.TestConfigs;
import io.quotagate.gateway.testkit.UpstreamReply;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Graceful stop and the client-side timeouts (idle, header read). */
class ProxyLifecycleTest {

    private RecordingUpstream upstream;

    @BeforeEach
    void start() {
        upstream = RecordingUpstream.start();
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    @Test
    void gracefulStopFinishesInFlightRequestsAndRefusesNewConnections() throws Exception {
        upstream.respondWith(UpstreamReply.ok("slow but complete").delay(Duration.ofMillis(800)));
        GatewayFixture gateway = GatewayFixture.start(TestConfigs.builder().upstream(upstream.url()).build());
        try (RawHttpClient busy = gateway.connect(); RawHttpClient idle = gateway.connect()) {
            busy.send("GET /test/slow HTTP/1.1\r\nHost: h\r\n\r\n");
            upstream.awaitRequests(0, Duration.ofSeconds(1));
            Thread.sleep(100);
            long start = System.nanoTime();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> gateway.gateway().stop(Duration.ofSeconds(5)));
            Thread.sleep(100);
            assertThatThrownBy(() -> RawHttpClient.connect(gateway.port())).isInstanceOf(UncheckedIOException.class);
            assertThat(idle.closedByPeer(Duration.ofSeconds(2))).as("idle keep-alive connection closed").isTrue();
            RawResponse response = busy.readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("slow but complete");
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(busy.closedByPeer(Duration.ofSeconds(2))).isTrue();
            stopping.get(5, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void gracefulStopGivesUpAtTheDeadline() throws Exception {
        upstream.respondWith(UpstreamReply.ok("too late").delay(Duration.ofSeconds(5)));
        GatewayFixture gateway = GatewayFixture.start(TestConfigs.builder().upstream(upstream.url()).build());
        try (RawHttpClient busy = gateway.connect()) {
            busy.send("GET /test/slow HTTP/1.1\r\nHost: h\r\n\r\n");
            Thread.sleep(100);
            long start = System.nanoTime();
            gateway.gateway().stop(Duration.ofMillis(300));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(busy.closedByPeer(Duration.ofSeconds(2))).isTrue();
        }
    }

    @Test
    void idleConnectionIsClosed() {
        try (GatewayFixture gateway = GatewayFixture.start(TestConfigs.builder().upstream(upstream.url())
                .idleTimeout(Duration.ofMillis(300)).build());
             RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
            long start = System.nanoTime();
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(200), Duration.ofSeconds(2));
        }
    }

    @Test
    void slowHeadIsCutOffByTheHeaderTimeout() throws InterruptedException {
        try (GatewayFixture gateway = GatewayFixture.start(TestConfigs.builder().upstream(upstream.url())
                .headerTimeout(Duration.ofMillis(300)).build());
             RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\n");
            Thread.sleep(100);
            client.send("Host: h\r\n");
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).isTrue();
        }
        assertThat(upstream.headsReceived()).isZero();
    }

    @Test
    void slowUpstreamIsNotCutOffByClientTimeouts() {
        upstream.respondWith(UpstreamReply.ok("worth the wait").delay(Duration.ofMillis(700)));
        try (GatewayFixture gateway = GatewayFixture.start(TestConfigs.builder().upstream(upstream.url())
                .idleTimeout(Duration.ofMillis(200)).headerTimeout(Duration.ofMillis(200)).build());
             RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().bodyText()).isEqualTo("worth the wait");
        }
    }
}
