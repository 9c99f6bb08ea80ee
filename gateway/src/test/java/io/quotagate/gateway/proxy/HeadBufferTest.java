package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** {@link HeadBuffer}: one buffer reused once its write released it, never while it is still being written. */
class HeadBufferTest {

    private final PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
    private final HeadBuffer heads = new HeadBuffer(64);

    @Test
    void aBufferWhoseWriteFinishedIsReusedEmpty() {
        ByteBuf first = heads.take(alloc);
        first.writeBytes(new byte[] {1, 2, 3});
        first.release(); // the write finished
        ByteBuf second = heads.take(alloc);
        assertThat(second).isSameAs(first);
        assertThat(second.readableBytes()).isZero();
        assertThat(second.refCnt()).as("the connection's reference and the write's").isEqualTo(2);
        second.release();
        heads.release();
        assertThat(first.refCnt()).isZero();
    }

    @Test
    void aBufferStillBeingWrittenIsNotTouched() {
        ByteBuf inFlight = heads.take(alloc);
        inFlight.writeByte(7);
        ByteBuf other = heads.take(alloc);
        assertThat(other).isNotSameAs(inFlight);
        assertThat(inFlight.readableBytes()).isEqualTo(1);
        other.release();
        assertThat(other.refCnt()).as("a one-shot buffer belongs to its write alone").isZero();
        heads.release();
        assertThat(inFlight.refCnt()).as("the queued write keeps its reference").isEqualTo(1);
        inFlight.release();
        assertThat(inFlight.refCnt()).isZero();
    }

    @Test
    void aBufferThatGrewLargeIsReplaced() {
        ByteBuf big = heads.take(alloc);
        big.writeBytes(new byte[64 * 1024]);
        big.release();
        ByteBuf next = heads.take(alloc);
        assertThat(next.capacity()).isLessThan(64 * 1024);
        assertThat(big.refCnt()).isZero();
        next.release();
        heads.release();
        assertThat(next.refCnt()).isZero();
    }

    @Test
    void afterTheConnectionClosedEveryBufferIsOneShot() {
        heads.release();
        ByteBuf late = heads.take(alloc);
        late.release();
        assertThat(late.refCnt()).isZero();
    }
}
