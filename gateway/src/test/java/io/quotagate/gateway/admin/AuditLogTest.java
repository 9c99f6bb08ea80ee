package io.quotagate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The audit log's hand-off: never waits, keeps room for authenticated calls, counts what it drops. */
class AuditLogTest {

    @Test
    void aFullQueueDropsAndCountsAndRefusedAttemptsNeverTakeTheReservedSlots() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> written = new CopyOnWriteArrayList<>();
        AtomicInteger dropped = new AtomicInteger();
        AuditLog log = new AuditLog(line -> {
            entered.countDown();
            await(release); // a slow appender (a disk that stalls): the writer is stuck on the first line
            written.add(line);
        }, 4, 2, dropped::incrementAndGet);
        try {
            log.record(entry("first", 200));
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

            log.recordRefused(entry("refused-1", 401)); // 4 free
            log.recordRefused(entry("refused-2", 429)); // 3 free
            log.recordRefused(entry("refused-3", 401)); // 2 free: the reserve, dropped
            log.record(entry("granted-1", 200));
            log.record(entry("granted-2", 200));
            log.record(entry("granted-3", 200)); // full, dropped
            assertThat(dropped.get()).isEqualTo(2);
        } finally {
            release.countDown();
            log.close(); // writes what is queued
        }
        assertThat(written).extracting(line -> line.replaceAll(".*\"tenant\":\"([^\"]+)\".*", "$1"))
                .containsExactly("first", "refused-1", "refused-2", "granted-1", "granted-2");
    }

    private static AuditEntry entry(String tenant, int status) {
        return AuditEntry.refused(Instant.EPOCH, "127.0.0.1", AdminOperation.TENANT_SUSPEND, Map.of("id", tenant),
                AdminResponse.error(status, "x", "x"));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
