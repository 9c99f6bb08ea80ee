package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.testkit.GatewayFixture;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code server.max_connections_per_address} and {@code server.max_connections}: a connection over a cap is answered
 * at once, before it sends anything, with {@code 503 too_many_connections}, {@code Retry-After: 1} and
 * {@code Connection: close}, and closed; the connections already open keep working; a freed slot is usable again.
 * Loopback addresses other than 127.0.0.1 (127.0.0.2) stand for a second client address.
 */
class ProxyConnectionLimitsTest {

    private RecordingUpstream upstream;
    private GatewayFixture gateway;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void startUpstream() {
        upstream = RecordingUpstream.start();
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    @Test
    void aConnectionOverThePerAddressCapGets503AndOtherAddressesAreNotAffected() throws Exception {
        gateway = GatewayFixture.start(TestConfigs.builder().upstream(upstream.url()).clientConnections(100, 2).build());
        Socket first = connectFrom("127.0.0.1");
        Socket second = connectFrom("127.0.0.1");
        assertServes(first);
        assertServes(second);

        Socket third = connectFrom("127.0.0.1");
        assertRefused(third);
        assertServes(connectFrom("127.0.0.2")); // another address has its own count
        assertServes(first); // the open ones still work

        first.close();
        Thread.sleep(200); // the gateway notices the close and frees the slot
        assertServes(connectFrom("127.0.0.1"));
    }

    @Test
    void aConnectionOverTheTotalCapGets503() throws Exception {
        gateway = GatewayFixture.start(TestConfigs.builder().upstream(upstream.url()).clientConnections(2, 0).build());
        assertServes(connectFrom("127.0.0.1"));
        assertServes(connectFrom("127.0.0.2"));
        assertRefused(connectFrom("127.0.0.3"));
    }

    private Socket connectFrom(String address) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), gateway.port()), 5_000);
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static void assertServes(Socket socket) throws IOException {
        socket.getOutputStream().write("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String head = readHead(socket.getInputStream());
        assertThat(head).startsWith("HTTP/1.1 200 OK");
        int length = Integer.parseInt(head.replaceAll("(?s).*content-length: (\\d+).*", "$1"));
        socket.getInputStream().readNBytes(length);
    }

    /** Answered without sending anything: the refusal does not wait for a request. */
    private static void assertRefused(Socket socket) throws IOException {
        String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(answer).startsWith("HTTP/1.1 503 Service Unavailable\r\n")
                .containsIgnoringCase("retry-after: 1\r\n").containsIgnoringCase("connection: close\r\n")
                .endsWith("{\"error\":{\"code\":\"too_many_connections\",\"message\":\""
                        + "Too many open connections from this address or to this gateway; try again shortly.\"}}");
    }

    private static String readHead(InputStream in) {
        try {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    throw new AssertionError("closed before a response head: " + head);
                }
                head.append((char) c);
            }
            return head.toString().toLowerCase(java.util.Locale.ROOT).replace("http/1.1 200 ok", "HTTP/1.1 200 OK");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
