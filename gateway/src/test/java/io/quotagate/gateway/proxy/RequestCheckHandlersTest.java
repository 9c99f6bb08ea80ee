package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.quotagate.gateway.admission.RejectionCode;
import io.quotagate.gateway.testkit.TestConfigs;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link RequestValidator} (as applied by {@link StrictRequestDecoder}) and {@link BodyLimitHandler} in isolation. */
class RequestCheckHandlersTest {

    @Test
    void decoderFailsAmbiguousRequestsAndDropsWhatFollows() {
        EmbeddedChannel channel = new EmbeddedChannel(new StrictServerCodec(TestConfigs.builder().build().server()));
        channel.writeInbound(Unpooled.copiedBuffer("POST /x HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: 3\r\n\r\nabc"
                + "POST /next HTTP/1.1\r\nHost: h\r\n\r\n", StandardCharsets.ISO_8859_1));
        HttpRequest out = channel.readInbound();
        assertThat(((RejectedRequestException) out.decoderResult().cause()).code()).isEqualTo(RejectionCode.BAD_REQUEST);
        assertThat(out.decoderResult().cause()).hasMessage("more than one Host header");
        assertThat((Object) channel.readInbound()).as("everything after a bad request is dropped").isNull();
        channel.writeInbound(Unpooled.copiedBuffer("GET /later HTTP/1.1\r\nHost: h\r\n\r\n", StandardCharsets.ISO_8859_1));
        assertThat((Object) channel.readInbound()).as("also in later reads").isNull();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void validatorRules() {
        assertThat(RequestValidator.problemOf(withHeaders("/x"))).isEqualTo("missing Host header");
        HttpRequest http10 = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/x");
        assertThat(RequestValidator.problemOf(http10)).isNull();
        HttpRequest te = withHeaders("/x", "Host", "h", "Transfer-Encoding", "gzip, chunked");
        assertThat(RequestValidator.problemOf(te)).startsWith("unsupported Transfer-Encoding");
        assertThat(RequestValidator.problemOf(withHeaders("/x", "Host", "h", "Transfer-Encoding", "chunked"))).isNull();
        assertThat(RequestValidator.problemOf(withHeaders("/x", "Host", "user@h"))).isEqualTo("invalid Host header");
        assertThat(RequestValidator.problemOf(withHeaders("//x?q=%20", "Host", "h:8080"))).isNull();
        assertThat(RequestValidator.problemOf(withHeaders("x", "Host", "h"))).startsWith("request target");
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
        channel.writeInbound(chunked, new DefaultHttpContent(Unpooled.copiedBuffer(new byte[6])),
                new DefaultHttpContent(Unpooled.copiedBuffer(new byte[6])), LastHttpContent.EMPTY_LAST_CONTENT);
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
