package io.quotagate.gateway.testkit;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran. It is registered for every test class of the
 * build (autodetection: {@code junit-platform.properties} and {@code META-INF/services}, shipped in the test-jar to
 * admin-cli), and the build runs tests with {@code -Dio.netty.leakDetection.level=paranoid}: every buffer is tracked,
 * and a report carries where it was created and last touched.
 *
 * <p>Netty reports a leak only once a buffer it tracked was garbage-collected unreleased and a later allocation polls
 * its reference queue. After each class this collects garbage, allocates through the allocators the gateway uses, and
 * fails with every report made since the previous class ended. A leak found late still fails some class; its record
 * names the code that made the buffer. Only buffers from an allocator are tracked: {@code Unpooled.copiedBuffer} and
 * other unpooled heap buffers are not, so handler tests check {@code refCnt()} of what they feed.
 */
public final class LeakDetectionExtension implements AfterAllCallback {

    /** Netty has one detector for all buffers of the JVM, and one listener slot on it: this queue is as global. */
    private static final Queue<String> REPORTS = new ConcurrentLinkedQueue<>();

    static {
        ByteBufUtil.setLeakListener((type, records) -> REPORTS.add("LEAK of a " + type + ":\n"
                + (records.isEmpty() ? "(no record: the detector level is below advanced)\n" : records)));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = collect();
        if (!leaks.isEmpty()) {
            String testClass = context.getRequiredTestClass().getName();
            throw new AssertionError(leaks.size() + " buffer(s) leaked by the end of " + testClass + " (collected, never"
                    + " released; a leak can come from an earlier class: the record says where the buffer was made and"
                    + " last touched):\n\n" + String.join("\n", leaks));
        }
    }

    /** The reports Netty made so far, each returned once, after garbage was collected and the detector polled. */
    public static List<String> collect() {
        for (int round = 0; round < 2; round++) {
            awaitGarbageCollection();
            pollDetector();
        }
        List<String> taken = new ArrayList<>();
        for (String report; (report = REPORTS.poll()) != null; ) {
            taken.add(report);
        }
        return taken;
    }

    /** A full collection, and the reference handler has enqueued what it cleared (a sentinel shows it did). */
    private static void awaitGarbageCollection() {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
        try {
            for (int i = 0; i < 10; i++) {
                System.gc();
                if (queue.remove(100) != null) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Reference.reachabilityFence(sentinel);
    }

    /** Netty polls its queue when it tracks a new buffer; below paranoid it tracks only a sample, so switch briefly. */
    private static void pollDetector() {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        if (level == ResourceLeakDetector.Level.DISABLED) {
            return;
        }
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        try {
            for (ByteBufAllocator alloc : List.of(PooledByteBufAllocator.DEFAULT, ByteBufAllocator.DEFAULT)) {
                alloc.directBuffer(1).release();
                alloc.heapBuffer(1).release();
            }
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }
}
