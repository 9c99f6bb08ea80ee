package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A direct buffer that one client connection reuses for the message heads it writes in one direction (one for
 * request heads towards the upstream, one for response heads towards the client). Taking a pooled buffer per
 * head costs about as much as writing the head (allocator cache lookup, recycler, pinned-memory accounting, and
 * the release after the write), and an exchange writes one head each way.
 *
 * <p>{@link #take} hands out the buffer with one extra reference, which the write releases once the bytes left
 * the socket. If that has not happened yet when the next head is due (a slow reader), or the buffer grew large
 * for one big head, a fresh buffer is taken instead, owned by its write alone. Event-loop confined.
 */
final class HeadBuffer {

    private final int capacity;
    private ByteBuf reused;
    private boolean released;

    HeadBuffer(int capacity) {
        this.capacity = capacity;
    }

    /** An empty buffer for one head; the caller passes it to a write (or releases it). */
    ByteBuf take(ByteBufAllocator alloc) {
        ByteBuf buf = reused;
        if (released) {
            return alloc.ioBuffer(capacity); // the connection is gone: nothing would release a cached buffer
        }
        if (buf == null || buf.capacity() > 16 * capacity) {
            if (buf != null) {
                buf.release(); // queued writes keep their own reference
            }
            buf = reused = alloc.ioBuffer(capacity);
        } else if (buf.refCnt() != 1) {
            return alloc.ioBuffer(capacity); // the previous head is still being written
        }
        return buf.clear().retain();
    }

    /** Drops the connection's reference (when it closed); a write still queued keeps its own. */
    void release() {
        released = true;
        if (reused != null) {
            reused.release();
            reused = null;
        }
    }
}
