package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link UpstreamCodec} and {@link RequestBodyFraming}: requests leave as bytes, HEAD responses stay bodyless. */
class UpstreamCodecTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new UpstreamCodec(new HttpDecoderConfig()));

    @Test
    void requestBytesPassThroughAndAHeadResponseHasNoBodyEvenAfterAnInterimResponse() {
        channel.writeOutbound(new UpstreamCodec.RequestHead(bytes("HEAD /a HTTP/1.1\r\n\r\n"), HttpMethod.HEAD),
                new UpstreamCodec.RequestHead(bytes("GET /b HTTP/1.1\r\n\r\n"), HttpMethod.GET));
        assertThat(outbound()).isEqualTo("HEAD /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
        channel.writeInbound(bytes("HTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
        assertThat(((HttpResponse) channel.readInbound()).status().code()).isEqualTo(103);
        assertThat((Object) channel.readInbound()).isInstanceOf(LastHttpContent.class);
        assertThat(((HttpResponse) channel.readInbound()).status().code()).isEqualTo(200);
        assertThat((Object) channel.readInbound()).as("HEAD: no body").isEqualTo(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(((HttpResponse) channel.readInbound()).status().code()).isEqualTo(200);
        Object content = channel.readInbound();
        assertThat(((io.netty.handler.codec.http.HttpContent) content).content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
        ReferenceCountUtil.release(content);
        drainInbound();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void chunkedBodyIsFramedAgainWithTrailersAndWithoutEmptyChunks() {
        RequestBodyFraming.write(channel, new DefaultHttpContent(bytes("hello")), true);
        RequestBodyFraming.write(channel, new DefaultHttpContent(Unpooled.EMPTY_BUFFER), true);
        RequestBodyFraming.write(channel, new DefaultHttpContent(bytes("x".repeat(300))), true);
        LastHttpContent last = new DefaultLastHttpContent(bytes("end"));
        last.trailingHeaders().add("X-Checksum", "abc").add("X-Other", "1");
        RequestBodyFraming.write(channel, last, true);
        channel.flushOutbound();
        assertThat(outbound()).isEqualTo("5\r\nhello\r\n12c\r\n" + "x".repeat(300) + "\r\n3\r\nend\r\n0\r\n"
                + "X-Checksum: abc\r\nX-Other: 1\r\n\r\n");
        RequestBodyFraming.write(channel, LastHttpContent.EMPTY_LAST_CONTENT, true);
        channel.flushOutbound();
        assertThat(outbound()).isEqualTo("0\r\n\r\n");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void lengthDelimitedBodyPassesAsItCameAndDropsTrailers() {
        RequestBodyFraming.write(channel, new DefaultHttpContent(bytes("hel")), false);
        LastHttpContent last = new DefaultLastHttpContent(bytes("lo"));
        last.trailingHeaders().add("X-T", "1");
        RequestBodyFraming.write(channel, last, false);
        RequestBodyFraming.write(channel, LastHttpContent.EMPTY_LAST_CONTENT, false);
        channel.flushOutbound();
        assertThat(outbound()).isEqualTo("hello");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void chunkSizeIsLowerCaseHexWithoutLeadingZeros() {
        for (int size : new int[] {0, 1, 15, 16, 255, 65536, Integer.MAX_VALUE}) {
            ByteBuf buf = Unpooled.buffer();
            RequestBodyFraming.writeHex(buf, size);
            assertThat(buf.toString(StandardCharsets.US_ASCII)).isEqualTo(Integer.toHexString(size));
            buf.release();
        }
    }

    private String outbound() {
        StringBuilder sb = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            sb.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return sb.toString();
    }

    private void drainInbound() {
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }
}
