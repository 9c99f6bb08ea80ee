package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.quotagate.gateway.testkit.GatewayFixture;
import io.quotagate.gateway.testkit.RawHttpClient;
import io.quotagate.gateway.testkit.RawHttpClient.StreamedResponse;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.TestConfigs;
import io.quotagate.gateway.testkit.UpstreamReply;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 1 GiB each way through the proxy with generated bodies: byte counts must match and memory must stay flat.
 * Netty's buffers are direct, so an aggregating handler anywhere would show as direct memory in use; it is
 * sampled during the transfer and must stay far below the body size. (Heap churns with short-lived message
 * objects, so only the heap retained after a GC is checked.)
 */
class ProxyStreamingTest {

    private static final long GIB = 1L << 30;
    private static final long FLAT = 64L << 20;

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
        try (RawHttpClient client = gateway.connect().timeout(Duration.ofSeconds(30)); MemoryProbe probe = new MemoryProbe()) {
            OutputStream out = client.output();
            out.write(("PUT /test/upload HTTP/1.1\r\nHost: h\r\nContent-Length: " + GIB + "\r\n\r\n").getBytes());
            byte[] block = new byte[64 * 1024];
            for (long sent = 0; sent < GIB; sent += block.length) {
                out.write(block);
            }
            out.flush();
            assertThat(client.readResponse().status()).isEqualTo(200);
            probe.assertFlat();
        }
        assertThat(upstream.awaitRequest().bodyBytes()).isEqualTo(GIB);
    }

    @Test
    @Timeout(60)
    void downloadsOneGibibyte() throws Exception {
        upstream.respondWith(UpstreamReply.status(200).streaming(GIB));
        try (RawHttpClient client = gateway.connect().timeout(Duration.ofSeconds(30)); MemoryProbe probe = new MemoryProbe()) {
            client.send("GET /test/download HTTP/1.1\r\nHost: h\r\n\r\n");
            StreamedResponse response = client.readResponseCountingBody();
            assertThat(response.head().status()).isEqualTo(200);
            assertThat(response.bodyBytes()).isEqualTo(GIB);
            probe.assertFlat();
            // the connection is still good afterwards
            upstream.respondWith(UpstreamReply.ok("after"));
            client.send("GET /test/after HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().bodyText()).isEqualTo("after");
        }
    }

    @Test
    @Timeout(60)
    void downloadsAChunkedBodyWithoutLength() {
        upstream.respondWith(UpstreamReply.status(200).streaming(64L << 20).chunked());
        try (RawHttpClient client = gateway.connect().timeout(Duration.ofSeconds(30))) {
            client.send("GET /test/download HTTP/1.1\r\nHost: h\r\n\r\n");
            StreamedResponse response = client.readResponseCountingBody();
            assertThat(response.head().header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(response.bodyBytes()).isEqualTo(64L << 20);
        }
    }

    /** Samples Netty's direct memory in use every few milliseconds; compares retained heap before and after. */
    private static final class MemoryProbe implements AutoCloseable {
        private final AtomicLong peakDirect = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final long heapBefore;
        private final Thread thread;

        MemoryProbe() {
            heapBefore = retainedHeap();
            thread = new Thread(() -> {
                while (running.get()) {
                    if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p) {
                        peakDirect.accumulateAndGet(p.metric().usedDirectMemory(), Math::max);
                    }
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "memory-probe");
            thread.setDaemon(true);
            thread.start();
        }

        void assertFlat() {
            System.err.println("peak direct memory during the transfer: " + peakDirect.get());
            assertThat(peakDirect.get()).as("peak direct memory during the transfer").isLessThan(FLAT);
            assertThat(retainedHeap() - heapBefore).as("heap retained after the transfer").isLessThan(FLAT);
        }

        private static long retainedHeap() {
            System.gc();
            Runtime rt = Runtime.getRuntime();
            return rt.totalMemory() - rt.freeMemory();
        }

        @Override
        public void close() throws IOException {
            running.set(false);
            thread.interrupt();
        }
    }
}
