package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.route.RouteTable;
import io.quotagate.gateway.testkit.GatewayFixture;
import io.quotagate.gateway.testkit.RawHttpClient;
import io.quotagate.gateway.testkit.RawHttpClient.RawResponse;
import io.quotagate.gateway.testkit.RecordingAdmission;
import io.quotagate.gateway.testkit.ScriptedUpstream;
import io.quotagate.gateway.testkit.TestConfigs;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An upstream that sends more bytes than its response's framing covers (a second, unsolicited response in the
 * same segment): those bytes must never become the response of the next exchange that reuses the connection.
 */
class ProxyUpstreamStrayBytesTest {

    private GatewayFixture gateway;
    private ServerSocket upstream;
    private Thread upstreamThread;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (upstreamThread != null) {
            upstreamThread.join(2000);
        }
    }

    @Test
    void bytesAfterAResponseAreNotHandedToTheNextExchangeWaitingForTheConnection() throws Exception {
        upstream = new ServerSocket(0);
        AtomicInteger connections = new AtomicInteger();
        upstreamThread = new Thread(() -> {
            try {
                // First connection: answers the first request, and appends a forged second response.
                try (Socket s = upstream.accept()) {
                    connections.incrementAndGet();
                    ScriptedUpstream.readHead(s.getInputStream());
                    Thread.sleep(400); // the second client now waits for the only pool slot
                    s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA"
                            + "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nSTOLEN").getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    // Whatever comes next on this connection is not answered.
                    Thread.sleep(1500);
                }
            } catch (Exception e) {
                return;
            }
            try {
                while (true) { // later connections answer honestly
                    try (Socket s = upstream.accept()) {
                        connections.incrementAndGet();
                        ScriptedUpstream.readHead(s.getInputStream());
                        s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nB"
                                .getBytes(StandardCharsets.US_ASCII));
                        s.getOutputStream().flush();
                    }
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        });
        upstreamThread.start();
        GatewayConfig config = TestConfigs.builder().ioThreads(1).maxConnections(1)
                .upstream(URI.create("http://127.0.0.1:" + upstream.getLocalPort())).build();
        gateway = GatewayFixture.start(config, new RecordingAdmission(RouteTable.of(config)));
        try (RawHttpClient first = gateway.connect(); RawHttpClient second = gateway.connect()) {
            first.send("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
            Thread.sleep(150);
            second.send("GET /test/b HTTP/1.1\r\nHost: h\r\n\r\n");
            RawResponse a = first.readResponse();
            assertThat(a.bodyText()).isEqualTo("A");
            RawResponse b = second.readResponse();
            assertThat(b.bodyText()).as("the second client got bytes it never asked the upstream for").isNotEqualTo("STOLEN");
        }
    }
}
