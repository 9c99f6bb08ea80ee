package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.quotagate.gateway.config.ServerConfig;
import io.quotagate.gateway.config.UnderscoresInHeaders;
import java.util.ArrayDeque;

/**
 * First HTTP handler of a client pipeline (after TLS): our {@link StrictRequestDecoder}, and a response encoder that knows which responses answer a {@code HEAD} (no body may follow, even
 * when the upstream's head says {@code Transfer-Encoding: chunked}).
 *
 * <p>It replaces {@code HttpServerCodec}, whose decoder is Netty's; the method queue below is the part of that
 * codec we need (the decoder adds each request's method, the encoder takes them). Interim (1xx) responses do not consume an entry, so a
 * {@code 100 Continue} cannot shift the queue.
 *
 * <p>Relayed responses arrive already encoded, as {@link ByteBuf}s: the encoder passes every ByteBuf through
 * untouched (its own state machine would reject body bytes without a head), and the {@link FrontendHandler}
 * reports each relayed final response with {@link #relayedResponse()} so that its method entry is consumed.
 * Error responses and {@code 100 Continue} still go through the encoder as {@code HttpResponse} objects.
 */
final class StrictServerCodec extends CombinedChannelDuplexHandler<StrictRequestDecoder, HttpResponseEncoder> {

    /** Decoded body content is handed on in slices of at most this many bytes (fewer messages than the 8 KiB default). */
    static final int MAX_CHUNK_SIZE = 64 * 1024;

    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);

    StrictServerCodec(ServerConfig server) {
        init(new StrictRequestDecoder(server.maxInitialLineLength(), server.maxHeaderSize(),
                        server.underscoresInHeaders() == UnderscoresInHeaders.DROP, methods),
                new HeadAwareEncoder());
    }

    /** A final response is being relayed as bytes: its request's method entry is used up. */
    void relayedResponse() {
        methods.poll();
    }

    private final class HeadAwareEncoder extends HttpResponseEncoder {
        @Override
        public boolean acceptOutboundMessage(Object msg) throws Exception {
            return !(msg instanceof ByteBuf) && super.acceptOutboundMessage(msg);
        }


        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg);
            }
            HttpMethod method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }
    }
}
