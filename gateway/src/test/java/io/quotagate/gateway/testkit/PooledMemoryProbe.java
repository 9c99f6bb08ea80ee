package io.quotagate.gateway.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.quotagate.gateway.proxy.UpstreamPools;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches the buffer memory of the gateway's channels while a test moves data through it: the allocator client
 * and upstream channels really allocate from ({@link UpstreamPools#ALLOCATOR}), sampled every 5 ms on a thread of
 * its own. A proxy that buffers a body shows there: the bytes it read and has not written yet are pooled buffers
 * (or retained slices of them). The figure is the pool's pinned memory, direct and heap: the bytes of buffers not
 * yet released (page-granular), not the whole chunks the arenas keep (whose free space left by earlier tests would
 * hide growth), nor buffers parked in thread caches. Other allocators (the test's own upstream, Netty's default)
 * are not counted. Also compares the heap retained after a GC before and after.
 */
public final class PooledMemoryProbe implements AutoCloseable {

    private final PooledByteBufAllocator allocator;
    private final long atStart;
    private final long heapBefore;
    private final AtomicLong peak = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    private PooledMemoryProbe() {
        if (!(UpstreamPools.ALLOCATOR instanceof PooledByteBufAllocator pooled)) {
            throw new IllegalStateException("the gateway no longer uses the pooled allocator; measure "
                    + UpstreamPools.ALLOCATOR.getClass().getName() + " instead");
        }
        allocator = pooled;
        heapBefore = retainedHeap();
        atStart = used();
        peak.set(atStart);
        thread = new Thread(this::sample, "pooled-memory-probe");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts sampling now; the memory in use at this moment is the baseline. */
    public static PooledMemoryProbe start() {
        return new PooledMemoryProbe();
    }

    /** The highest pooled memory (direct + heap) seen so far, above what was in use at start. */
    public long peakAboveStart() {
        peak.accumulateAndGet(used(), Math::max);
        return peak.get() - atStart;
    }

    /** Fails when the gateway's pooled memory rose by {@code bytes} or more at any sample. */
    public void assertPeakBelow(long bytes) {
        long above = peakAboveStart();
        System.err.printf("pooled memory: %d bytes at start, peak %d above it (bound %d)%n", atStart, above, bytes);
        assertThat(above).as("peak pooled memory of the gateway above its level at start").isLessThan(bytes);
    }

    /** Fails when the heap retained after a GC grew by {@code bytes} or more since the start. */
    public void assertRetainedHeapGrowthBelow(long bytes) {
        assertThat(retainedHeap() - heapBefore).as("heap retained after the transfer").isLessThan(bytes);
    }

    private void sample() {
        while (running.get()) {
            peak.accumulateAndGet(used(), Math::max);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private long used() {
        return allocator.pinnedDirectMemory() + allocator.pinnedHeapMemory();
    }

    private static long retainedHeap() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.interrupt();
        thread.join(1_000);
    }
}
