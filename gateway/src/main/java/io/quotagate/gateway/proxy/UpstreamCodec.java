package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;

/**
 * First HTTP handler of an upstream pipeline (after TLS): Netty's response decoder, and no request encoder:
 * requests leave as bytes ({@link RequestHeadWriter}, {@link RequestBodyFraming}) and pass through.
 *
 * <p>It replaces {@code HttpClientCodec}, whose encoder wants {@code HttpRequest} objects. The part of that
 * codec we keep is its method queue: a response to {@code HEAD} has no body, whatever its head says. The
 * exchange writes a request head as a {@link RequestHead}, which carries the method; interim (1xx) responses do
 * not consume an entry. (CONNECT, the codec's other special case, is never forwarded: its target is not
 * origin-form.)
 */
final class UpstreamCodec extends CombinedChannelDuplexHandler<HttpResponseDecoder, ChannelOutboundHandlerAdapter> {

    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

    UpstreamCodec(HttpDecoderConfig config) {
        init(new HeadAwareDecoder(config), new MethodRecorder());
    }

    /** An encoded request head and the method it carries; written to an upstream channel as its bytes. */
    static final class RequestHead extends DefaultByteBufHolder {
        private final HttpMethod method;

        RequestHead(ByteBuf bytes, HttpMethod method) {
            super(bytes);
            this.method = method;
        }
    }

    private final class HeadAwareDecoder extends HttpResponseDecoder {
        HeadAwareDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            if (((HttpResponse) msg).status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg);
            }
            return HttpMethod.HEAD.equals(methods.poll()) || super.isContentAlwaysEmpty(msg);
        }
    }

    private final class MethodRecorder extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof RequestHead head) {
                methods.add(head.method);
                msg = head.content();
            }
            ctx.write(msg, promise);
        }
    }
}
