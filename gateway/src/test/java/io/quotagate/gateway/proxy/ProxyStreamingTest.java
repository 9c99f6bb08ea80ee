package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.testkit.GatewayFixture;
import io.quotagate.gateway.testkit.PooledMemoryProbe;
import io.quotagate.gateway.testkit.RawHttpClient;
import io.quotagate.gateway.testkit.RawHttpClient.StreamedResponse;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.TestConfigs;
import io.quotagate.gateway.testkit.UpstreamReply;
import java.io.OutputStream;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 1 GiB each way through the proxy with generated bodies: byte counts must match and memory must stay flat. The
 * receiving side starts reading only after a pause, so the sender is ahead from the start. The gateway's channels
 * allocate from Netty's pooled allocator, so a handler that aggregates, or a relay that reads the side that is
 * ahead regardless of the other side's writability, shows as pooled memory in use; it is sampled during the
 * transfer ({@link PooledMemoryProbe}) and must stay below 4 MiB (1/256 of 1 GiB). (Heap churns with short-lived
 * message objects, so only the heap retained after a GC is checked.) {@link ProxySlowPeerTest} checks that the
 * sender is actually blocked.
 */
class ProxyStreamingTest {

    private static final long GIB = 1L << 30;
    /**
     * The gateway's pooled memory in live buffers: a correct relay holds about a socket read loop's worth (up to
     * 16 reads of 64 KiB) plus the 64 KiB write high-water mark; 64-200 KiB were seen.
     */
    private static final long POOLED = 4L << 20;
    private static final long RETAINED_HEAP = 64L << 20;
    /** The receiving side starts only after this: the sender would fill a gateway without backpressure by then. */
    private static final Duration PAUSE = Duration.ofSeconds(1);

    private RecordingUpstream upstream;
    private GatewayFixture gateway;

    @BeforeEach
    void start() {
        upstream = RecordingUpstream.start();
        gateway = GatewayFixture.start(TestConfigs.builder().upstream(upstream.url()).maxBody(2 * GIB)
                .responseTimeout(Duration.ofSeconds(30)).build());
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    @Timeout(60)
    void uploadsOneGibibyte() throws Exception {
        upstream.pauseAfterHeads(PAUSE); // the client must be held back meanwhile, not buffered
        try (RawHttpClient client = gateway.connect().timeout(Duration.ofSeconds(30));
             PooledMemoryProbe probe = PooledMemoryProbe.start()) {
            OutputStream out = client.output();
            out.write(("PUT /test/upload HTTP/1.1\r\nHost: h\r\nContent-Length: " + GIB + "\r\n\r\n").getBytes());
            byte[] block = new byte[64 * 1024];
            for (long sent = 0; sent < GIB; sent += block.length) {
                out.write(block);
            }
            out.flush();
            assertThat(client.readResponse().status()).isEqualTo(200);
            probe.assertPeakBelow(POOLED);
            probe.assertRetainedHeapGrowthBelow(RETAINED_HEAP);
        }
        assertThat(upstream.awaitRequest().bodyBytes()).isEqualTo(GIB);
    }

    @Test
    @Timeout(60)
    void downloadsOneGibibyte() throws Exception {
        upstream.respondWith(UpstreamReply.status(200).streaming(GIB));
        try (RawHttpClient client = gateway.connect().timeout(Duration.ofSeconds(30));
             PooledMemoryProbe probe = PooledMemoryProbe.start()) {
            client.send("GET /test/download HTTP/1.1\r\nHost: h\r\n\r\n");
            Thread.sleep(PAUSE.toMillis()); // the upstream must be held back meanwhile, not buffered
            StreamedResponse response = client.readResponseCountingBody();
            assertThat(response.head().status()).isEqualTo(200);
            assertThat(response.bodyBytes()).isEqualTo(GIB);
            probe.assertPeakBelow(POOLED);
            probe.assertRetainedHeapGrowthBelow(RETAINED_HEAP);
            // the connection is still good afterwards
            upstream.respondWith(UpstreamReply.ok("after"));
            client.send("GET /test/after HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().bodyText()).isEqualTo("after");
        }
    }

    @Test
    @Timeout(60)
    void downloadsAChunkedBodyWithoutLength() throws Exception {
        upstream.respondWith(UpstreamReply.status(200).streaming(64L << 20).chunked());
        try (RawHttpClient client = gateway.connect().timeout(Duration.ofSeconds(30));
             PooledMemoryProbe probe = PooledMemoryProbe.start()) {
            client.send("GET /test/download HTTP/1.1\r\nHost: h\r\n\r\n");
            Thread.sleep(PAUSE.toMillis());
            StreamedResponse response = client.readResponseCountingBody();
            assertThat(response.head().header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(response.bodyBytes()).isEqualTo(64L << 20);
            probe.assertPeakBelow(POOLED);
        }
    }
}
