package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.admission.UpstreamOutcome;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.route.RouteTable;
import io.quotagate.gateway.testkit.GatewayFixture;
import io.quotagate.gateway.testkit.RecordingAdmission;
import io.quotagate.gateway.testkit.RecordingAdmission.Settlement;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.TestConfigs;
import io.quotagate.gateway.testkit.UpstreamReply;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When an admitted request is settled, and with what outcome: at the end of the attempt, not at the response head
 * (an upstream that dies mid-body leaves the client a truncated response, a transport error); by the status when
 * the client leaves mid-response; {@code NOT_SENT} when the decision comes after the event loops stopped.
 */
class ProxySettlementTest {

    private static final String REQUEST = "GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n";

    private RecordingUpstream upstream;
    private GatewayFixture gateway;
    private RecordingAdmission admission;

    @BeforeEach
    void startUpstream() {
        upstream = RecordingUpstream.start();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    private void start(TestConfigs.Builder config) {
        GatewayConfig built = config.upstream(upstream.url()).build();
        admission = new RecordingAdmission(RouteTable.of(built));
        gateway = GatewayFixture.start(built, admission);
    }

    @Test
    void aResponseIsSettledWhenItEndsNotAtItsHead() throws Exception {
        start(TestConfigs.builder());
        upstream.respondWith(UpstreamReply.status(200).streaming(64_000_000));
        try (Socket client = new Socket("127.0.0.1", gateway.port())) {
            client.setSoTimeout(5_000);
            client.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
            String start = read(client.getInputStream(), 1_000);
            assertThat(start).startsWith("HTTP/1.1 200 OK");

            // The client reads no further: backpressure holds the rest of the body, and nothing is settled yet.
            Thread.sleep(300);
            assertThat(admission.settlements()).isEmpty();

            long rest = drain(client.getInputStream(), 64_000_000 - (start.length() - start.indexOf("\r\n\r\n") - 4));
            assertThat(rest).isPositive();
            assertThat(admission.awaitSettlements(1, Duration.ofSeconds(2))).extracting(Settlement::outcome)
                    .containsExactly(UpstreamOutcome.responded(200));
        }
    }

    @Test
    void aClientLeavingMidResponseIsSettledByTheStatus() throws Exception {
        start(TestConfigs.builder());
        upstream.respondWith(UpstreamReply.status(200).streaming(64_000_000));
        try (Socket client = new Socket("127.0.0.1", gateway.port())) {
            client.setSoTimeout(5_000);
            client.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
            assertThat(read(client.getInputStream(), 1_000)).startsWith("HTTP/1.1 200 OK");
        }
        assertThat(admission.awaitSettlements(1, Duration.ofSeconds(2))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.responded(200));
        Thread.sleep(200);
        assertThat(admission.settlements()).hasSize(1);
    }

    @Test
    void aDecisionArrivingAfterTheEventLoopsStoppedIsSettledAsNotSent() throws Exception {
        start(TestConfigs.builder());
        admission.delay(Duration.ofMillis(1_500)); // the store answers long after the shutdown deadline
        try (Socket client = new Socket("127.0.0.1", gateway.port())) {
            client.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(100);
            gateway.gateway().stop(Duration.ofMillis(100));
        }
        assertThat(admission.awaitSettlements(1, Duration.ofSeconds(5))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.NOT_SENT);
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void aRequestCutOffAtTheShutdownDeadlineIsSettledAsATransportError() throws Exception {
        start(TestConfigs.builder());
        upstream.respondWith(UpstreamReply.ok("too late").delay(Duration.ofSeconds(5)));
        try (Socket client = new Socket("127.0.0.1", gateway.port())) {
            client.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
            upstream.awaitRequests(1, Duration.ofSeconds(2)); // sent: the gateway now waits for the head
            gateway.gateway().stop(Duration.ofMillis(200));
        }
        // The client got nothing: the attempt the shutdown cut off is refunded, once.
        assertThat(admission.awaitSettlements(1, Duration.ofSeconds(5))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.TRANSPORT_ERROR);
    }

    /** Reads until at least {@code atLeast} bytes arrived (or the stream ended); returns them as ISO-8859-1. */
    private static String read(InputStream in, int atLeast) throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (text.length() < atLeast) {
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        }
        return text.toString();
    }

    /** Reads and drops {@code bytes} bytes; returns how many arrived before the stream ended. */
    private static long drain(InputStream in, long bytes) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long read = 0;
        while (read < bytes) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, bytes - read));
            if (n < 0) {
                break;
            }
            read += n;
        }
        return read;
    }
}
