package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.quotagate.gateway.testkit.FedBuffers;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link StrictRequestDecoder} on its own: byte splits, pipelining, chunked bodies and trailers, each refusal. */
class StrictRequestDecoderTest {

    private static final String PAIR = "\r\nPOST /a?q=1 HTTP/1.1\r\nHost: h\r\nX-Tab: a\tb \r\nTransfer-Encoding: chunked\r\n\r\n"
            + "3;ext=\"v\\\"w\"\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-Sum: 7\r\nContent-Length: 9\r\n\r\n"
            + "\r\nHEAD /b HTTP/1.0\r\nhost: h:80\r\nContent-Length: 2\r\n\r\nxy";

    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

    @RegisterExtension
    final FedBuffers fed = new FedBuffers();

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new StrictRequestDecoder(4096, 8192, true, methods));
    }

    @Test
    void everyByteSplitOfAPipelinedPairDecodesTheSame() {
        byte[] wire = PAIR.getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 0; split <= wire.length; split++) {
            EmbeddedChannel channel = channel();
            methods.clear();
            channel.writeInbound(fed.track(Unpooled.wrappedBuffer(wire, 0, split)));
            channel.writeInbound(fed.track(Unpooled.wrappedBuffer(wire, split, wire.length - split)));
            assertThat(describe(channel)).as("split at %d", split).isEqualTo(
                    "POST /a?q=1 HTTP/1.1 [Host=h, X-Tab=a\tb, Transfer-Encoding=chunked]|abc0123456789abcdef|last [X-Sum=7]"
                            + "|HEAD /b HTTP/1.0 [host=h:80, Content-Length=2]|xy|last []");
            assertThat(methods).containsExactly(HttpMethod.POST, HttpMethod.HEAD);
            assertFalse(channel.finishAndReleaseAll());
        }
    }

    @Test
    void byteByByteToo() {
        EmbeddedChannel channel = channel();
        for (byte b : PAIR.getBytes(StandardCharsets.ISO_8859_1)) {
            channel.writeInbound(fed.track(Unpooled.wrappedBuffer(new byte[] {b})));
        }
        assertThat(describe(channel)).startsWith("POST /a?q=1 HTTP/1.1").endsWith("|xy|last []");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void largeBodiesAreSlicedNotAggregated() {
        EmbeddedChannel channel = channel();
        int size = 3 * StrictServerCodec.MAX_CHUNK_SIZE + 5;
        ByteBuf wire = fed.track(Unpooled.buffer());
        wire.writeCharSequence("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: " + size + "\r\n\r\n", StandardCharsets.US_ASCII);
        wire.writeZero(size);
        channel.writeInbound(wire);
        assertThat((Object) channel.readInbound()).isInstanceOf(HttpRequest.class);
        int total = 0;
        HttpContent content;
        do {
            content = channel.readInbound();
            assertThat(content.content().readableBytes()).isLessThanOrEqualTo(StrictServerCodec.MAX_CHUNK_SIZE);
            total += content.content().readableBytes();
            content.release();
        } while (!(content instanceof LastHttpContent));
        assertThat(total).isEqualTo(size);
        assertFalse(channel.finishAndReleaseAll());
    }

    static Stream<Arguments> malformedHeads() {
        String g = "GET /x HTTP/1.1\r\nHost: h\r\n";
        return Stream.of(
                Arguments.of("leading bare LF", "\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("leading space", " GET /x HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("two spaces after method", "GET  /x HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("lower-case version", "GET /x http/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("HTTP/1.2", "GET /x HTTP/1.2\r\nHost: h\r\n\r\n"),
                Arguments.of("HTTP/2.0", "GET /x HTTP/2.0\r\nHost: h\r\n\r\n"),
                Arguments.of("space after version", "GET /x HTTP/1.1 \r\nHost: h\r\n\r\n"),
                Arguments.of("bare LF after request line", "GET /x HTTP/1.1\nHost: h\r\n\r\n"),
                Arguments.of("bare LF after field", g + "X-A: a\n\r\n"),
                Arguments.of("bare LF ending the head", g + "\n"),
                Arguments.of("bare CR in field", g + "X-A: a\rb\r\n\r\n"),
                Arguments.of("obs-fold", g + "X-A: a\r\n b\r\n\r\n"),
                Arguments.of("empty name", g + ": a\r\n\r\n"),
                Arguments.of("space before colon", g + "X-A : a\r\n\r\n"),
                Arguments.of("non-token name", g + "X\"A: a\r\n\r\n"),
                Arguments.of("no colon", g + "X-A\r\n\r\n"),
                Arguments.of("NUL in value", g + "X-A: a\u0000\r\n\r\n"),
                Arguments.of("empty content-length", "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: \r\n\r\n"),
                Arguments.of("content-length too long", "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1234567890123456789\r\n\r\n"),
                Arguments.of("two content-length on 1.0", "POST /x HTTP/1.0\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\na"),
                Arguments.of("chunked chunked", "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"),
                Arguments.of("empty transfer-encoding", "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n\r\n"),
                Arguments.of("host with slash", "GET /x HTTP/1.1\r\nHost: h/x\r\n\r\n"),
                Arguments.of("host with at", "GET /x HTTP/1.1\r\nHost: u@h\r\n\r\n"),
                Arguments.of("DEL in target", "GET /x\u007f HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("empty method", " /x HTTP/1.1\r\nHost: h\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeads")
    void malformedHeadFailsAndWhatFollowsIsDropped(String name, String head) {
        EmbeddedChannel channel = channel();
        channel.writeInbound(fed.text(head + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"));
        HttpRequest request = channel.readInbound();
        assertThat(request.decoderResult().cause()).as(name).isInstanceOf(RejectedRequestException.class);
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(methods).hasSize(1);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aRefusedPathFailsTheHeadWithItsReasonAndTheQueryIsNotChecked() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(fed.text("GET /x/a..b?q=../%2f HTTP/1.1\r\nHost: h\r\n\r\nGET /x/%2E. HTTP/1.1\r\nHost: h\r\n\r\n"));
        HttpRequest good = channel.readInbound();
        assertThat(good.decoderResult().isSuccess()).isTrue();
        assertThat(good.uri()).isEqualTo("/x/a..b?q=../%2f");
        assertThat((Object) channel.readInbound()).isInstanceOf(LastHttpContent.class);
        HttpRequest refused = channel.readInbound();
        assertThat(refused.decoderResult().cause()).isInstanceOf(RejectedRequestException.class)
                .hasMessage(PathCheck.DOT_SEGMENT);
        assertFalse(channel.finishAndReleaseAll());
    }

    static Stream<Arguments> malformedChunks() {
        return Stream.of(
                Arguments.of("no size", "\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("negative", "-1\r\n"),
                Arguments.of("over int", "80000000\r\n"),
                Arguments.of("hex prefix", "0x3\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("bare LF after size", "3\nabc\r\n0\r\n\r\n"),
                Arguments.of("whitespace without extension", "3 \r\nabc\r\n0\r\n\r\n"),
                Arguments.of("extension without name", "3;\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("extension with bad value", "3;a=b c\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("unterminated quoted extension", "3;a=\"b\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("control char in extension", "3;a=\"\u0001\"\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("no CRLF after data", "3\r\nabcXX0\r\n\r\n"),
                Arguments.of("LF only after data", "3\r\nabc\n0\r\n\r\n"),
                Arguments.of("folded trailer", "0\r\nX-A: a\r\n b\r\n\r\n"),
                Arguments.of("bad trailer name", "0\r\nX A: a\r\n\r\n"),
                Arguments.of("bare LF in trailers", "0\r\nX-A: a\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedChunks")
    void malformedChunkFramingFailsTheBody(String name, String body) {
        EmbeddedChannel channel = channel();
        channel.writeInbound(fed.text("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + body
                + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertThat(((HttpRequest) channel.readInbound()).decoderResult().isSuccess()).isTrue();
        Object msg;
        while ((msg = channel.readInbound()) != null && ((HttpContent) msg).decoderResult().isSuccess()) {
            ReferenceCountUtil.release(msg);
        }
        assertThat(msg).as(name).isInstanceOf(LastHttpContent.class);
        assertThat(((HttpContent) msg).decoderResult().isFailure()).as(name).isTrue();
        assertThat((Object) channel.readInbound()).isNull();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void limitsGive414And431EvenBeforeTheLineEnds() {
        EmbeddedChannel channel = new EmbeddedChannel(new StrictRequestDecoder(25, 40, true, methods));
        channel.writeInbound(fed.text("GET /" + "a".repeat(30)));
        assertThat(((HttpRequest) channel.readInbound()).decoderResult().cause()).isInstanceOf(TooLongHttpLineException.class);
        assertFalse(channel.finishAndReleaseAll());

        channel = new EmbeddedChannel(new StrictRequestDecoder(25, 40, true, methods));
        channel.writeInbound(fed.text("GET / HTTP/1.1\r\nHost: h\r\nX-A: " + "a".repeat(40)));
        assertThat(((HttpRequest) channel.readInbound()).decoderResult().cause()).isInstanceOf(TooLongHttpHeaderException.class);
        assertFalse(channel.finishAndReleaseAll());

        channel = new EmbeddedChannel(new StrictRequestDecoder(25, 40, true, methods));
        channel.writeInbound(fed.text("GET /123456789ab HTTP/1.1\r\nHost: h\r\nX-A: " + "a".repeat(28) + "\r\n\r\n"));
        HttpRequest exact = channel.readInbound();
        assertThat(exact.decoderResult().isSuccess()).as("line and fields exactly at the limits").isTrue();
        assertThat((Object) channel.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertFalse(channel.finishAndReleaseAll());
    }

    /** Request lines over a 25-byte limit, complete or not: only a long origin-form target is a 414. */
    static Stream<Arguments> overLongRequestLines() {
        String a30 = "a".repeat(30);
        return Stream.of(
                Arguments.of("long target, line unfinished", "GET /" + a30, null),
                Arguments.of("long target, line complete", "GET /" + a30 + " HTTP/1.1\r\nHost: h\r\n\r\n", null),
                Arguments.of("long method, unfinished", "A".repeat(30), "request method too long"),
                Arguments.of("long method, complete", "A".repeat(30) + " / HTTP/1.1\r\nHost: h\r\n\r\n", "request method too long"),
                Arguments.of("method using up the line", "A".repeat(24) + " /" + a30, "request method too long"),
                Arguments.of("binary, e.g. TLS to a plain port", "\u0016\u0003\u0001\u0002\u0000" + a30, "malformed request line (method)"),
                Arguments.of("absolute-form target", "GET http://" + a30, "request target must be origin-form (/path?query)"),
                Arguments.of("control char in target", "GET /a\u0001" + a30, "request target must be origin-form (/path?query)"),
                Arguments.of("long version", "GET /a HTTP/1.1" + a30 + "\r\n",
                        "malformed request line (version must be HTTP/1.0 or HTTP/1.1)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overLongRequestLines")
    void anOverLongRequestLineIs414OnlyForItsTarget(String name, String wire, String reason) {
        EmbeddedChannel channel = new EmbeddedChannel(new StrictRequestDecoder(25, 40, true, methods));
        channel.writeInbound(fed.text(wire));
        Throwable cause = ((HttpRequest) channel.readInbound()).decoderResult().cause();
        if (reason == null) {
            assertThat(cause).isInstanceOf(TooLongHttpLineException.class);
            assertThat(ErrorResponses.codeFor(cause).status()).isEqualTo(414);
        } else {
            assertThat(cause).isInstanceOf(RejectedRequestException.class).hasMessage(reason);
            assertThat(ErrorResponses.codeFor(cause).status()).isEqualTo(400);
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aHundredKilobyteMethodIsA400() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(fed.text("G".repeat(100 * 1024) + " / HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertThat(((HttpRequest) channel.readInbound()).decoderResult().cause())
                .isInstanceOf(RejectedRequestException.class).hasMessage("request method too long");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void anOverLongChunkSizeLineIsA400NotA414() {
        EmbeddedChannel channel = new EmbeddedChannel(new StrictRequestDecoder(25, 40, true, methods));
        channel.writeInbound(fed.text("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "1;" + "e".repeat(30)));
        assertThat(((HttpRequest) channel.readInbound()).decoderResult().isSuccess()).isTrue();
        Throwable cause = ((LastHttpContent) channel.readInbound()).decoderResult().cause();
        assertThat(cause).isInstanceOf(RejectedRequestException.class).hasMessage("chunk-size line too long (over 25 bytes)");
        assertThat(ErrorResponses.codeFor(cause).status()).isEqualTo(400);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void closeAfterTheRequestLineFailsTheHeadAndMidBodyEmitsNothing() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(fed.text("GET /x HTTP/1.1\r\nHost: h\r\n"));
        channel.finish();
        HttpRequest request = channel.readInbound();
        assertThat(request.decoderResult().isFailure()).isTrue();
        assertFalse(channel.finishAndReleaseAll());

        channel = channel();
        channel.writeInbound(fed.text("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab"));
        channel.finish();
        assertThat(((HttpRequest) channel.readInbound()).decoderResult().isSuccess()).isTrue();
        HttpContent part = channel.readInbound();
        assertThat(part).isNotInstanceOf(LastHttpContent.class);
        part.release();
        assertThat((Object) channel.readInbound()).isNull();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void http10WithoutHostAndOtherMethodsPass() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(fed.text("OPTIONS /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\nPURGE /y HTTP/1.1\r\nHost: h\r\n\r\n"));
        HttpRequest first = channel.readInbound();
        assertThat(first.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_0);
        assertThat(first.method()).isEqualTo(HttpMethod.OPTIONS);
        assertThat(io.netty.handler.codec.http.HttpUtil.isKeepAlive(first)).isTrue();
        ReferenceCountUtil.release(channel.readInbound());
        HttpRequest second = channel.readInbound();
        assertThat(second.method().name()).isEqualTo("PURGE");
        assertThat((Object) channel.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertFalse(channel.finishAndReleaseAll());
    }

    /** Heads, body bytes and last contents in order, separated by '|'; releases everything read. */
    private static String describe(EmbeddedChannel channel) {
        List<String> parts = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            if (msg instanceof HttpRequest r) {
                assertThat(r.decoderResult().isSuccess()).as(r.decoderResult().toString()).isTrue();
                List<String> fields = new ArrayList<>();
                r.headers().forEach(e -> fields.add(e.getKey() + "=" + e.getValue()));
                parts.add(r.method() + " " + r.uri() + " " + r.protocolVersion() + " " + fields);
            } else if (msg instanceof HttpContent c) {
                assertThat(c.decoderResult().isSuccess()).isTrue();
                body.append(c.content().toString(StandardCharsets.ISO_8859_1));
                if (c instanceof LastHttpContent last) {
                    if (body.length() > 0) {
                        parts.add(body.toString());
                    }
                    body.setLength(0);
                    List<String> trailers = new ArrayList<>();
                    last.trailingHeaders().forEach(e -> trailers.add(e.getKey() + "=" + e.getValue()));
                    parts.add("last " + trailers);
                }
            }
            ReferenceCountUtil.release(msg);
        }
        return String.join("|", parts);
    }
}
