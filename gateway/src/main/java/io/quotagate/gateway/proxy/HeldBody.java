package io.quotagate.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.function.Predicate;

/**
 * The start of a request body read before an upstream connection is taken ({@code server.body_buffer}): the
 * decoded pieces themselves (retained slices of what was read), until the body ends or passes the limit. Owned by
 * one {@link Exchange}, on its event loop.
 */
final class HeldBody {

    private final ArrayDeque<HttpContent> pieces = new ArrayDeque<>(2);
    private final long limit;
    private long bytes;

    HeldBody(long limit) {
        this.limit = limit;
    }

    /** Takes ownership of a piece; true when the body is whole or over the limit (time for a connection). */
    boolean add(HttpContent piece) {
        pieces.add(piece);
        bytes += piece.content().readableBytes();
        return piece instanceof LastHttpContent || bytes > limit;
    }

    /** Writes every piece upstream (without flushing), giving them up; true when the body's end was among them. */
    boolean writeTo(Channel upstream, boolean chunked, Predicate<CharSequence> trailerFilter) {
        boolean last = false;
        HttpContent piece;
        while ((piece = pieces.poll()) != null) {
            last |= piece instanceof LastHttpContent;
            RequestBodyFraming.write(upstream, piece, chunked, trailerFilter);
        }
        return last;
    }

    void release() {
        HttpContent piece;
        while ((piece = pieces.poll()) != null) {
            piece.release();
        }
    }
}
