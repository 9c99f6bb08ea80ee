package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.quotagate.gateway.admission.RejectionCode;
import java.util.List;
import java.util.Queue;

/**
 * Netty's request decoder plus the checks it cannot be configured to make. First, it unfolds obs-fold (a
 * header line starting with SP or HTAB, RFC 9112 §5.2) silently into the previous value, so the folded request
 * reaches handlers looking like a clean one. While a request head is being decoded this subclass scans the
 * bytes the decoder consumed for a line feed followed by SP/HTAB and, if it finds one, fails the request's
 * {@code decoderResult()}, which {@link FrontendHandler} answers with 400 and a close. Second, each decoded
 * head is checked by {@link RequestValidator#problemOf} (Host, Transfer-Encoding, request target) here rather
 * than in a handler of its own: one pipeline hop fewer per message.
 *
 * <p>After a failed message (Netty's or ours) everything else the connection sends is dropped here; the
 * frontend answers the failed message in pipeline order and closes the connection.
 *
 * <p>The decoder consumes a head line by line and returns right after it emitted the head (the body is decoded
 * by later calls), so the scanned range never includes body bytes. The scan touches each head byte once,
 * with a {@link ByteBuf#forEachByte} loop; its cost is small next to the decoding itself.
 */
final class StrictRequestDecoder extends HttpRequestDecoder {

    private static final RejectedRequestException OBS_FOLD =
            new RejectedRequestException(RejectionCode.BAD_REQUEST, "obs-fold (folded header line) is not allowed");

    /** True from the start of a message until its head was emitted. */
    private boolean inHead = true;
    /** The last head byte consumed so far was a line feed (a fold is "LF, then SP or HTAB"). */
    private boolean afterLineFeed;
    private boolean foldSeen;
    /** A failed message was emitted: nothing after it is. */
    private boolean poisoned;
    private final FoldScanner scanner = new FoldScanner();
    private final Queue<HttpMethod> methods;

    /** @param methods receives the method of every decoded request, in order (for the response encoder) */
    StrictRequestDecoder(HttpDecoderConfig config, Queue<HttpMethod> methods) {
        super(config);
        this.methods = methods;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (poisoned) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        int start = buffer.readerIndex();
        int oldSize = out.size();
        super.decode(ctx, buffer, out);
        if (inHead) {
            int consumed = buffer.readerIndex() - start;
            if (consumed > 0 && !foldSeen) {
                buffer.forEachByte(start, consumed, scanner);
            }
        }
        for (int i = oldSize, n = out.size(); i < n; i++) {
            Object msg = out.get(i);
            if (msg instanceof HttpRequest head) {
                methods.add(head.method());
                check(head);
                inHead = false;
            }
            if (msg instanceof LastHttpContent) {
                inHead = true;
                afterLineFeed = false;
                foldSeen = false;
            }
            if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
                poisoned = true;
                dropAfter(out, i);
                buffer.skipBytes(buffer.readableBytes());
                return;
            }
        }
    }

    /** Fails a successfully decoded head that is folded or that {@link RequestValidator} refuses. */
    private void check(HttpRequest head) {
        if (!head.decoderResult().isSuccess()) {
            return;
        }
        if (foldSeen) {
            head.setDecoderResult(DecoderResult.failure(OBS_FOLD));
            return;
        }
        String problem = RequestValidator.problemOf(head);
        if (problem != null) {
            head.setDecoderResult(DecoderResult.failure(new RejectedRequestException(RejectionCode.BAD_REQUEST, problem)));
        }
    }

    private static void dropAfter(List<Object> out, int index) {
        for (int i = out.size() - 1; i > index; i--) {
            ReferenceCountUtil.release(out.remove(i));
        }
    }

    /** Runs over consumed head bytes; remembers the line-feed state across decode calls. */
    private final class FoldScanner implements io.netty.util.ByteProcessor {
        @Override
        public boolean process(byte b) {
            if (afterLineFeed && (b == ' ' || b == '\t')) {
                foldSeen = true;
                return false;
            }
            afterLineFeed = b == '\n';
            return true;
        }
    }
}
