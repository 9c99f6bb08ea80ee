package io.quotagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.quotagate.gateway.admission.RouteOnlyAdmission;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.proxy.Transport;
import io.quotagate.gateway.route.RouteTable;
import io.quotagate.gateway.testkit.RawHttpClient;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.TestConfigs;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GatewayTest {

    @Test
    void picksEpollOnLinuxAndFallsBackToNio() {
        assertThat(Transport.best().name()).isEqualTo(Epoll.isAvailable() ? "epoll" : "nio");
        assertThat(Transport.nio().name()).isEqualTo("nio");
    }

    @Test
    void startsOnAFreePortWithEitherTransportAndStopsIdempotently() throws Exception {
        for (Transport transport : new Transport[] {Transport.best(), Transport.nio()}) {
            try (RecordingUpstream upstream = RecordingUpstream.start()) {
                GatewayConfig config = TestConfigs.builder().upstream(upstream.url()).ioThreads(0).build();
                RouteTable routes = RouteTable.of(config);
                Gateway gateway = new Gateway(config, new RouteOnlyAdmission(() -> routes), transport);
                int port = gateway.start();
                assertThat(port).isPositive().isEqualTo(gateway.port());
                assertThat(gateway.workerGroup().iterator().hasNext()).isTrue();
                try (RawHttpClient client = RawHttpClient.connect(port)) {
                    client.send("GET /test/x HTTP/1.1\r\nHost: h\r\n\r\n");
                    assertThat(client.readResponse().status()).as(transport.name()).isEqualTo(200);
                }
                gateway.stop(Duration.ofSeconds(1));
                gateway.stop(Duration.ofSeconds(1));
                assertThat(gateway.workerGroup().isShutdown()).isTrue();
            }
        }
    }
}
