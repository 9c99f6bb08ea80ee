package io.quotagate.gateway.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The access log's line format and its hand-off, which never waits for the writer. */
class AccessLogTest {

    private static final AccessRecord FORWARDED = new AccessRecord(1_767_225_600_123L, "rid-1", "acme", "portrait",
            "POST /v1/portrait/generate", "POST", "/v1/portrait/generate", 200, "forwarded", 1, 0, 1_234_567, 1_000_999,
            150, 320, "10.0.0.7");

    @Test
    void oneJsonLinePerRecordWithEveryFieldInAFixedOrder() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog log = AccessLog.to(out, 16, () -> { });
        log.log(FORWARDED);
        log.log(new AccessRecord(1_767_225_600_000L, "x", null, null, null, "GET", "/a\"b\\c\u0001", 404,
                "route_not_found", 0, 0, 50_000, -1, 40, 120, "::1"));
        log.close();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(
                "{\"time\":\"2026-01-01T00:00:00.123Z\",\"request_id\":\"rid-1\",\"tenant\":\"acme\",\"group\":\"portrait\","
                        + "\"route\":\"POST /v1/portrait/generate\",\"method\":\"POST\",\"path\":\"/v1/portrait/generate\","
                        + "\"status\":200,\"outcome\":\"forwarded\",\"charged\":1,\"refunded\":0,\"total_ms\":1.234,"
                        + "\"upstream_ms\":1.000,\"bytes_in\":150,\"bytes_out\":320,\"client\":\"10.0.0.7\"}\n"
                        + "{\"time\":\"2026-01-01T00:00:00Z\",\"request_id\":\"x\",\"tenant\":null,\"group\":null,"
                        + "\"route\":null,\"method\":\"GET\",\"path\":\"/a\\\"b\\\\c\\u0001\",\"status\":404,"
                        + "\"outcome\":\"route_not_found\",\"charged\":0,\"refunded\":0,\"total_ms\":0.050,"
                        + "\"upstream_ms\":null,\"bytes_in\":40,\"bytes_out\":120,\"client\":\"::1\"}\n");
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfWaiting() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch writing = new CountDownLatch(1);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        OutputStream stuck = new OutputStream() { // a disk that stopped answering
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                written.write(b, off, len);
            }
        };
        AtomicInteger dropped = new AtomicInteger();
        AccessLog log = AccessLog.to(stuck, 4, dropped::incrementAndGet);
        log.log(FORWARDED);
        // Fill the writer's buffer so it blocks on the stream, then the queue.
        for (int i = 0; i < 1000 && writing.getCount() > 0; i++) {
            log.log(FORWARDED);
            Thread.sleep(1);
        }
        assertThat(writing.await(5, TimeUnit.SECONDS)).isTrue();
        int before = dropped.get();
        long started = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            log.log(FORWARDED);
        }
        long tookMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertThat(tookMillis).as("log() never waits for the writer").isLessThan(1000);
        assertThat(dropped.get() - before).as("at most 4 of 100 fit in the queue").isBetween(96, 100);
        release.countDown();
        log.close();
        assertThat(written.toString(StandardCharsets.UTF_8)).startsWith("{\"time\":");
    }

    @Test
    void offLogsNothing() {
        assertThat(AccessLog.OFF.enabled()).isFalse();
        AccessLog.OFF.log(FORWARDED); // no queue, no thread: nothing happens
        AccessLog.OFF.close();
    }
}
