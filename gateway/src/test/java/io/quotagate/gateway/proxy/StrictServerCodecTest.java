package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.quotagate.gateway.testkit.FedBuffers;
import io.quotagate.gateway.testkit.TestConfigs;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link StrictServerCodec}: obs-fold detection across reads, HEAD-aware response encoding, relayed bytes. */
class StrictServerCodecTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new StrictServerCodec(TestConfigs.builder().build().server()));

    @RegisterExtension
    final FedBuffers fed = new FedBuffers();

    @Test
    void foldedHeaderFailsTheRequest() {
        channel.writeInbound(fed.text("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n"));
        HttpRequest request = channel.readInbound();
        assertThat(request.decoderResult().cause()).isInstanceOf(RejectedRequestException.class).hasMessageContaining("obs-fold");
        drain();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void foldSplitAcrossReadsIsCaught() {
        channel.writeInbound(fed.text("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n"));
        channel.writeInbound(fed.text("\tb\r\n\r\n"));
        HttpRequest request = channel.readInbound();
        assertThat(request.decoderResult().isFailure()).isTrue();
        drain();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void bodyAndNextRequestAreNotMistakenForFolds() {
        channel.writeInbound(fed.text("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\n\n \n\tGET /2 HTTP/1.1\r\nHost: h\r\n\r\n"));
        HttpRequest first = channel.readInbound();
        assertThat(first.decoderResult().isSuccess()).isTrue();
        LastHttpContent body = channel.readInbound();
        assertThat(body.content().readableBytes()).isEqualTo(4);
        body.release();
        HttpRequest second = channel.readInbound();
        assertThat(second.uri()).isEqualTo("/2");
        assertThat(second.decoderResult().isSuccess()).isTrue();
        drain();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void headResponseNeverCarriesABodyEvenAfterAnInterimResponse() {
        channel.writeInbound(fed.text("HEAD / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"));
        drain();
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        channel.writeOutbound(head, LastHttpContent.EMPTY_LAST_CONTENT);
        HttpResponse get = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        get.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        channel.writeOutbound(get, LastHttpContent.EMPTY_LAST_CONTENT);
        String wire = outbound();
        assertThat(wire).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                + "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void relayedBytesPassThroughAndConsumeTheirMethodEntry() {
        channel.writeInbound(fed.text("HEAD / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"));
        drain();
        StrictServerCodec codec = channel.pipeline().get(StrictServerCodec.class);
        codec.relayedResponse(); // the HEAD's response is relayed as bytes
        channel.writeOutbound(fed.text("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"), Unpooled.EMPTY_BUFFER);
        HttpResponse get = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        get.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        channel.writeOutbound(get, LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(outbound()).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
                + "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n");
        assertFalse(channel.finishAndReleaseAll());
    }

    private String outbound() {
        StringBuilder sb = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            sb.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return sb.toString().replace("Transfer-Encoding", "transfer-encoding");
    }

    private void drain() {
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
