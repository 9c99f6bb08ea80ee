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
import io.quotagate.gateway.testkit.ScriptedUpstream;
import io.quotagate.gateway.testkit.TestConfigs;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An upstream connection that broke the protocol is discarded, end to end: the first connection of a raw upstream
 * answers its first request wrongly and then stays open, ready to answer anything else with
 * {@code from connection 1}. Only the gateway can close it; a second request must reach the upstream on a new
 * connection and get a correct answer. One event loop and {@code max_connections: 1}, so a reused or leaked
 * connection cannot go unnoticed.
 */
class ProxyUpstreamProtocolErrorTest {

    private ScriptedUpstream upstream;
    private GatewayFixture gateway;
    private RecordingAdmission admission;
    /** Counted down when the gateway closed the upstream's first connection. */
    private final CountDownLatch firstConnectionClosed = new CountDownLatch(1);

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    /**
     * Connection 1 answers its first request with {@code bad} (its parts written 200 ms apart), then closes if
     * {@code closeAfterBad}, else stays open answering correctly. Later connections answer correctly.
     */
    private void start(boolean closeAfterBad, String... bad) {
        upstream = ScriptedUpstream.start((connection, socket) -> {
            boolean first = connection == 1;
            while (ScriptedUpstream.readHead(socket.getInputStream()) != null) {
                if (first) {
                    first = false;
                    for (int i = 0; i < bad.length; i++) {
                        if (i > 0) {
                            Thread.sleep(200);
                        }
                        ScriptedUpstream.write(socket, bad[i]);
                    }
                    if (closeAfterBad) {
                        return;
                    }
                } else {
                    answer(socket, "from connection " + connection);
                }
            }
            if (connection == 1) {
                firstConnectionClosed.countDown(); // end of stream: the gateway closed it
            }
        });
        GatewayConfig config = TestConfigs.builder().upstream(upstream.url()).ioThreads(1).maxConnections(1).build();
        admission = new RecordingAdmission(RouteTable.of(config));
        gateway = GatewayFixture.start(config, admission);
    }

    static Stream<Arguments> malformedHeads() {
        return Stream.of(
                Arguments.of("bad status code", "HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nhi"),
                Arguments.of("no status line", "hello\r\nContent-Length: 2\r\n\r\nhi"),
                Arguments.of("non-decimal Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\nhi"),
                Arguments.of("two Content-Lengths", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi"),
                Arguments.of("obs-fold", "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nhi"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeads")
    void aMalformedHeadIs502AndItsConnectionIsNeverUsedAgain(String name, String response) throws Exception {
        start(false, response);
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
            RawResponse bad = client.readResponse();
            assertThat(bad.status()).isEqualTo(502);
            assertThat(bad.bodyText()).contains("\"code\":\"upstream_unavailable\"");
            assertThat(firstConnectionClosed.await(2, TimeUnit.SECONDS)).as("the gateway closed the broken connection").isTrue();

            client.send("GET /test/b HTTP/1.1\r\nHost: h\r\n\r\n"); // same client connection: a 502 keeps it
            RawResponse good = client.readResponse();
            assertThat(good.status()).isEqualTo(200);
            assertThat(good.bodyText()).isEqualTo("from connection 2");
        }
        assertThat(upstream.connectionsAccepted()).isEqualTo(2);
        assertThat(admission.awaitSettlements(2, Duration.ofSeconds(2))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.TRANSPORT_ERROR, UpstreamOutcome.responded(200));
    }

    @Test
    void aBadChunkAfterTheHeadClosesTheClientAndDiscardsTheConnection() throws Exception {
        start(false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", "zz\r\n");
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
            String received = client.readUntilClose(); // part of the response went out: only a close can tell
            assertThat(received).startsWith("HTTP/1.1 200 OK").contains("\r\n\r\n5\r\nhello\r\n").doesNotContain("0\r\n\r\n");
        }
        assertThat(firstConnectionClosed.await(2, TimeUnit.SECONDS)).as("the gateway closed the broken connection").isTrue();
        assertSecondRequestGetsANewConnection();
        // the client got a truncated response: a transport error (refunded), not the upstream's 200
        assertThat(admission.awaitSettlements(2, Duration.ofSeconds(2))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.TRANSPORT_ERROR, UpstreamOutcome.responded(200));
    }

    @Test
    void aBadChunkInTheSameReadAsTheHeadIs502AndRefunded() throws Exception {
        // one write: head, a good chunk and a malformed one arrive together, before anything went to the client
        start(false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n");
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
            RawResponse bad = client.readResponse();
            assertThat(bad.status()).isEqualTo(502);
            assertThat(bad.bodyText()).contains("\"code\":\"upstream_unavailable\"");
        }
        assertThat(firstConnectionClosed.await(2, TimeUnit.SECONDS)).as("the gateway closed the broken connection").isTrue();
        assertSecondRequestGetsANewConnection();
        assertThat(admission.awaitSettlements(2, Duration.ofSeconds(2))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.TRANSPORT_ERROR, UpstreamOutcome.responded(200));
    }

    @Test
    void aBodyShorterThanItsContentLengthThenACloseClosesTheClient() throws Exception {
        start(true, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", "cut short");
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
            String received = client.readUntilClose();
            assertThat(received).startsWith("HTTP/1.1 200 OK").contains("Content-Length: 100\r\n")
                    .endsWith("\r\n\r\ncut short"); // what arrived, then the close: never 100 bytes
        }
        assertSecondRequestGetsANewConnection();
        // the client got a truncated response: a transport error (refunded), as for any upstream failing mid-body
        assertThat(admission.awaitSettlements(2, Duration.ofSeconds(2))).extracting(Settlement::outcome)
                .containsExactly(UpstreamOutcome.TRANSPORT_ERROR, UpstreamOutcome.responded(200));
    }

    private void assertSecondRequestGetsANewConnection() {
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/b HTTP/1.1\r\nHost: h\r\n\r\n");
            RawResponse good = client.readResponse();
            assertThat(good.status()).isEqualTo(200);
            assertThat(good.bodyText()).isEqualTo("from connection 2");
        }
        assertThat(upstream.connectionsAccepted()).isEqualTo(2);
    }

    private static void answer(Socket socket, String body) throws IOException {
        ScriptedUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
    }
}
