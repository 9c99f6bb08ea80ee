package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.quotagate.gateway.admission.RejectionCode;
import io.quotagate.gateway.testkit.FedBuffers;
import io.quotagate.gateway.testkit.TestConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The request rules of {@link StrictRequestDecoder} (through {@link StrictServerCodec}) and {@link BodyLimitHandler} in isolation. */
class RequestCheckHandlersTest {

    @RegisterExtension
    final FedBuffers fed = new FedBuffers();

    @Test
    void decoderFailsAmbiguousRequestsAndDropsWhatFollows() {
        EmbeddedChannel channel = new EmbeddedChannel(new StrictServerCodec(TestConfigs.builder().build().server()));
        channel.writeInbound(fed.text("POST /x HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: 3\r\n\r\nabc"
                + "POST /next HTTP/1.1\r\nHost: h\r\n\r\n"));
        HttpRequest out = channel.readInbound();
        assertThat(((RejectedRequestException) out.decoderResult().cause()).code()).isEqualTo(RejectionCode.BAD_REQUEST);
        assertThat(out.decoderResult().cause()).hasMessage("more than one Host header");
        assertThat((Object) channel.readInbound()).as("everything after a bad request is dropped").isNull();
        channel.writeInbound(fed.text("GET /later HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertThat((Object) channel.readInbound()).as("also in later reads").isNull();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void decoderRequestRules() {
        assertThat(problemOf("POST /x HTTP/1.1\r\n\r\n")).isEqualTo("missing Host header");
        assertThat(problemOf("GET /x HTTP/1.0\r\n\r\n")).isNull();
        assertThat(problemOf("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"))
                .startsWith("unsupported Transfer-Encoding");
        assertThat(problemOf("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")).isNull();
        assertThat(problemOf("POST /x HTTP/1.1\r\nHost: user@h\r\n\r\n")).isEqualTo("invalid Host header");
        assertThat(problemOf("POST //x?q=%20 HTTP/1.1\r\nHost: h:8080\r\n\r\n")).isNull();
        assertThat(problemOf("POST x HTTP/1.1\r\nHost: h\r\n\r\n")).startsWith("request target");
    }

    /** The reason the decoder refused a head, or null when it passed; a refused head is all that comes out. */
    private String problemOf(String head) {
        EmbeddedChannel channel = new EmbeddedChannel(new StrictServerCodec(TestConfigs.builder().build().server()));
        channel.writeInbound(fed.text(head));
        HttpRequest out = channel.readInbound();
        for (Object rest; (rest = channel.readInbound()) != null; ) {
            ReferenceCountUtil.release(rest);
            assertThat(out.decoderResult().isSuccess()).as("only a head that passed is followed, by its body").isTrue();
            assertThat(rest).isInstanceOf(HttpContent.class);
        }
        assertFalse(channel.finishAndReleaseAll());
        return out.decoderResult().isSuccess() ? null : out.decoderResult().cause().getMessage();
    }

    @Test
    void bodyLimitFailsALargeDeclaredLengthBeforeTheBody() {
        EmbeddedChannel channel = new EmbeddedChannel(new BodyLimitHandler(10));
        HttpRequest big = withHeaders("/x", "Host", "h", "Content-Length", "11");
        channel.writeInbound(big);
        HttpRequest out = channel.readInbound();
        assertThat(ErrorResponses.codeFor(out.decoderResult().cause())).isEqualTo(RejectionCode.PAYLOAD_TOO_LARGE);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void bodyLimitCutsAChunkedBodyAtTheChunkThatCrossesIt() {
        EmbeddedChannel channel = new EmbeddedChannel(new BodyLimitHandler(10));
        HttpRequest chunked = withHeaders("/x", "Host", "h", "Transfer-Encoding", "chunked");
        channel.writeInbound(chunked, new DefaultHttpContent(fed.text("123456")), new DefaultHttpContent(fed.text("789abc")),
                LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(((HttpRequest) channel.readInbound()).decoderResult()).isEqualTo(DecoderResult.SUCCESS);
        HttpContent first = channel.readInbound();
        assertThat(first.decoderResult().isSuccess()).isTrue();
        first.release();
        HttpContent second = channel.readInbound();
        assertThat(ErrorResponses.codeFor(second.decoderResult().cause())).isEqualTo(RejectionCode.PAYLOAD_TOO_LARGE);
        second.release();
        assertThat((Object) channel.readInbound()).isEqualTo(LastHttpContent.EMPTY_LAST_CONTENT); // passed on, not dropped
        assertFalse(channel.finishAndReleaseAll());
    }

    private static HttpRequest request(String uri) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
    }

    private static HttpRequest withHeaders(String uri, String... nameValues) {
        HttpRequest r = request(uri);
        for (int i = 0; i < nameValues.length; i += 2) {
            r.headers().add(nameValues[i], nameValues[i + 1]);
        }
        return r;
    }
}
