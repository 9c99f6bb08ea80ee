package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.testkit.GatewayFixture;
import io.quotagate.gateway.testkit.RawHttpClient;
import io.quotagate.gateway.testkit.RawHttpClient.RawResponse;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RecordingUpstream.RecordedRequest;
import io.quotagate.gateway.testkit.TestConfigs;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Raw-socket tests for malformed and ambiguous requests: each must get 400 (414, 431) with a JSON body, the
 * connection must be closed, and the upstream must receive nothing. The comment on each case says who refuses
 * it: Netty's decoder with our strict {@code HttpDecoderConfig}, or a check of ours. "Nothing" is checked behind
 * a barrier: a known-good request sent afterwards must be the only one the upstream sees (see
 * {@link #assertNothingForwarded()}).
 */
class ProxyStrictParsingTest {

    private static RecordingUpstream upstream;
    private static GatewayFixture gateway;

    @BeforeAll
    static void start() {
        upstream = RecordingUpstream.start();
        gateway = GatewayFixture.start(TestConfigs.builder().upstream(upstream.url()).build());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    private int requestsBefore;
    private int headsBefore;

    @BeforeEach
    void mark() {
        requestsBefore = upstream.requestCount();
        headsBefore = upstream.headsReceived();
    }

    static Stream<Arguments> malformed() {
        String p = "POST /test/x HTTP/1.1\r\nHost: h\r\n";
        String g = "GET /test/x HTTP/1.1\r\nHost: h\r\n";
        return Stream.of(
                // Netty (useRfc9112TransferEncoding): CL together with TE
                Arguments.of("content-length and transfer-encoding", p + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("transfer-encoding then content-length", p + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"),
                // Netty: invalid or repeated Content-Length
                Arguments.of("content-length +3", p + "Content-Length: +3\r\n\r\nabc"),
                Arguments.of("content-length 0x10", p + "Content-Length: 0x10\r\n\r\nabc"),
                Arguments.of("content-length -1", p + "Content-Length: -1\r\n\r\nabc"),
                Arguments.of("content-length 1,1", p + "Content-Length: 1,1\r\n\r\na"),
                Arguments.of("two content-length headers", p + "Content-Length: 1\r\nContent-Length: 1\r\n\r\na"),
                Arguments.of("two different content-length headers", p + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
                // Netty: last transfer coding not chunked; chunked twice
                Arguments.of("transfer-encoding gzip", p + "Transfer-Encoding: gzip\r\n\r\nabc"),
                Arguments.of("transfer-encoding chunked, gzip", p + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"),
                Arguments.of("transfer-encoding xchunked", p + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("chunked twice", p + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                // ours (FramingLookAlikes): names some upstreams would read as framing the proxy never saw
                Arguments.of("Content_Length", p + "Content_Length: 3\r\n\r\nabc"),
                Arguments.of("Transfer_Encoding", p + "Transfer_Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("Transfer---Encoding", p + "Transfer---Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("ContentLength beside Content-Length", p + "Content-Length: 0\r\nContentLength: 3\r\n\r\nabc"),
                // ours: a line over max_initial_line that is not a long target
                Arguments.of("100 KB method", "G".repeat(100 * 1024) + " /test/x HTTP/1.1\r\nHost: h\r\n\r\n"),
                // ours: any coding besides one plain chunked
                Arguments.of("transfer-encoding gzip, chunked", p + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
                // Netty (useRfc9112TransferEncoding): TE on HTTP/1.0
                Arguments.of("transfer-encoding on http/1.0", "POST /test/x HTTP/1.0\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                // ours (StrictRequestDecoder): obs-fold; Netty would unfold it silently
                Arguments.of("obs-fold with space", g + "X-A: a\r\n  b\r\n\r\n"),
                Arguments.of("obs-fold with tab", g + "X-A: a\r\n\tb\r\n\r\n"),
                Arguments.of("obs-fold of content-length", p + "Content-Length:\r\n 3\r\n\r\nabc"),
                Arguments.of("whitespace line before first header", "GET /test/x HTTP/1.1\r\n Host: h\r\n\r\n"),
                // Netty (header validation): whitespace before the colon
                Arguments.of("space before colon", g + "X-A : a\r\n\r\n"),
                Arguments.of("tab before colon", g + "X-A\t: a\r\n\r\n"),
                Arguments.of("space before colon of content-length", p + "Content-Length : 3\r\n\r\nabc"),
                // Netty (header validation): control characters in names and values
                Arguments.of("control char in value", g + "X-A: a\u0001b\r\n\r\n"),
                Arguments.of("NUL in value", g + "X-A: a\u0000b\r\n\r\n"),
                Arguments.of("DEL in value", g + "X-A: a\u007fb\r\n\r\n"),
                Arguments.of("bare CR in value", g + "X-A: a\rb\r\n\r\n"),
                Arguments.of("control char in name", g + "X\u0001A: a\r\n\r\n"),
                Arguments.of("space in name", g + "X A: a\r\n\r\n"),
                Arguments.of("header without colon", g + "XA\r\n\r\n"),
                // Netty (strictLineParsing): bare LF line ends
                Arguments.of("bare LF", "GET /test/x HTTP/1.1\nHost: h\n\n"),
                // ours: Host missing or repeated
                Arguments.of("missing host on http/1.1", "GET /test/x HTTP/1.1\r\n\r\n"),
                Arguments.of("two host headers", g + "Host: other\r\n\r\n"),
                Arguments.of("two hosts on http/1.0", "GET /test/x HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"),
                Arguments.of("host with space", "GET /test/x HTTP/1.1\r\nHost: a b\r\n\r\n"),
                Arguments.of("host with comma", "GET /test/x HTTP/1.1\r\nHost: a,b\r\n\r\n"),
                Arguments.of("empty host", "GET /test/x HTTP/1.1\r\nHost: \r\n\r\n"),
                // ours: request target not origin-form
                Arguments.of("absolute-form target", "GET http://h/test/x HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("asterisk target", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("control char in target", "GET /test/\u0001x HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("non-ascii in target", "GET /test/\u00e9 HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("fragment in target", "GET /test/x#frag HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("connect", "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n"),
                Arguments.of("connect with an origin-form target", "CONNECT /x HTTP/1.1\r\nHost: h\r\n\r\n"),
                // ours (PathCheck): paths an upstream could resolve to another route than the one matched and charged
                Arguments.of("dot-dot on a ** route", "GET /test/../v1/portrait/generate HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("trailing dot-dot on a ** route", "GET /test/a/.. HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("dot on a ** route", "GET /test/./x HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("dot-dot before the query", "GET /test/a/..?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("encoded dot-dot, mixed case", "GET /test/a/%2E%2e/b HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("half-encoded dot-dot", "GET /test/a/.%2e HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("dot-dot as a {name} segment", "DELETE /v1/templates/.. HTTP/1.1\r\nHost: h\r\nX-Api-Key: k\r\n\r\n"),
                Arguments.of("encoded dot-dot as a {name} segment", "GET /v1/portrait/tasks/%2e%2e HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("dot-dot after a cheap segment", "POST /v1/portrait/free/../generate HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"),
                Arguments.of("encoded slash", "GET /test/a%2fb HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("encoded slash, upper case", "GET /test/..%2F..%2Fv1 HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("encoded backslash", "GET /test/a%5Cb HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("backslash", "GET /test/..\\x HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("encoded NUL", "GET /test/a%00 HTTP/1.1\r\nHost: h\r\n\r\n"),
                // Netty: broken request lines
                Arguments.of("bad version", "GET /test/x HTTP/1.2x\r\nHost: h\r\n\r\n"),
                Arguments.of("space in target", "GET /test/a b HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("bad method character", "G(T /test/x HTTP/1.1\r\nHost: h\r\n\r\n"),
                Arguments.of("missing version", "GET /test/x\r\nHost: h\r\n\r\n"),
                Arguments.of("http/0.9-style garbage", "\u0001\u0002hello\r\n\r\n"));
    }

    /** Framing errors inside a chunked body: the head was valid and may already be streaming upstream. */
    static Stream<Arguments> brokenChunks() {
        String p = "POST /test/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
        return Stream.of(
                Arguments.of("bad chunk size", p + "zz\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("chunk without CRLF", p + "3\r\nabcXX0\r\n\r\n"),
                Arguments.of("bad chunk size after a good chunk", p + "3\r\nabc\r\n-1\r\n"),
                Arguments.of("chunk-size line over the limit", p + "3;" + "e".repeat(10_000) + "\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("look-alike trailer", p + "3\r\nabc\r\n0\r\nTransfer_Encoding: chunked\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenChunks")
    void brokenChunkFramingAbortsTheUpstreamRequest(String name, String request) {
        RawResponse response = exchange(request);
        assertThat(response.status()).as(name).isEqualTo(400);
        // Bodies stream, so the upstream may have seen the head; it never sees a complete request: the proxy
        // closes the upstream connection mid-body.
        assertOnlyTheBarrierCompleted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusedWith400AndClosedAndNothingForwarded(String name, String request) {
        RawResponse response = exchange(request);
        assertThat(response.status()).as(name).isEqualTo(400);
        assertThat(response.bodyText()).contains("\"code\":\"bad_request\"");
        assertThat(response.header("Connection")).isEqualTo("close");
        assertNothingForwarded();
    }

    @Test
    void aRefusedPathIsNamedInTheMessage() {
        RawResponse response = exchange("GET /test/a/%2E%2e/b HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.bodyText()).contains("\"message\":\"dot segment in the request path\"");
        assertNothingForwarded();
    }

    @Test
    void dotsInsideSegmentsEmptySegmentsAndTheQueryAreForwardedUnchanged() {
        String target = "/test/a..b/..c/d..//.../x?q=../y%2F%5c.&r=/./&s=%2e%2e";
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        assertThat(upstream.awaitRequests(requestsBefore + 1, Duration.ofSeconds(5)).get(requestsBefore).uri())
                .isEqualTo(target);
    }

    @Test
    void tooLongRequestLineGets414() {
        RawResponse response = exchange("GET /test/" + "a".repeat(5000) + " HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(response.status()).isEqualTo(414);
        assertThat(response.bodyText()).contains("\"code\":\"bad_request\"");
        assertNothingForwarded();
    }

    @Test
    void headersWithUnderscoresAreNotForwardedByDefault() {
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/ok HTTP/1.1\r\nHost: h\r\nX_Tenant_Id: forged\r\nMy_Field: 1\r\nX-Kept: k\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        RecordedRequest received = upstream.awaitRequests(requestsBefore + 1, Duration.ofSeconds(5)).get(requestsBefore);
        assertThat(received.header("X-Kept")).isEqualTo("k");
        assertThat(received.headers().names()).noneMatch(name -> name.contains("_"));
        assertThat(received.header("X-Tenant-Id")).isNotEqualTo("forged");
    }

    @Test
    void tooLargeHeadersGet431() {
        RawResponse response = exchange("GET /test/x HTTP/1.1\r\nHost: h\r\nX-A: " + "a".repeat(9000) + "\r\n\r\n");
        assertThat(response.status()).isEqualTo(431);
        assertThat(response.bodyText()).contains("\"code\":\"bad_request\"");
        assertNothingForwarded();
    }

    @Test
    void validEdgeCasesPass() {
        // OWS around a Content-Length value, a tab inside a value, a chunk extension, leading CRLF: all legal.
        try (RawHttpClient client = gateway.connect()) {
            client.send("\r\nPOST /test/ok HTTP/1.1\r\nHost: h:80\r\nX-Tab: a\tb\r\nContent-Length:  3 \r\n\r\nabc");
            assertThat(client.readResponse().status()).isEqualTo(200);
            client.send("POST /test/ok HTTP/1.1\r\nHost: [::1]:8080\r\nTransfer-Encoding: Chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
            client.send("GET /test/ok HTTP/1.0\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        assertThat(upstream.awaitRequests(requestsBefore + 3, Duration.ofSeconds(5))).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void bodyBytesThatLookLikeAFoldAreNotAFold() {
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/ok HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\na\r\n b\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
            client.send("POST /test/ok HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n\n \t\n\r\n0\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
    }

    @Test
    void headSplitAcrossPacketsWithAFoldIsStillCaught() throws InterruptedException {
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/x HTTP/1.1\r\nHost: h\r\nX-A: a\r\n");
            Thread.sleep(50);
            client.send(" b\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(400);
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).isTrue();
        }
        assertNothingForwarded();
    }

    private RawResponse exchange(String request) {
        try (RawHttpClient client = gateway.connect()) {
            client.send(request);
            RawResponse response = client.readResponse();
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).as("connection closed").isTrue();
            return response;
        }
    }

    /**
     * The upstream received no head since {@link #mark()}: a late forward of the refused request, which reading the
     * counters right after the close would miss, is caught by {@link #assertOnlyTheBarrierCompleted()} first.
     */
    private void assertNothingForwarded() {
        assertOnlyTheBarrierCompleted();
        assertThat(upstream.headsReceived()).as("heads the upstream received, the barrier's included")
                .isEqualTo(headsBefore + 1);
    }

    /**
     * Sends a known-good request on a fresh connection, waits until its response came back (the upstream records a
     * request before answering it), then asserts that it is the only complete request the upstream received since
     * {@link #mark()}: anything the gateway forwarded of the refused request before the barrier shows up here.
     */
    private void assertOnlyTheBarrierCompleted() {
        String barrier = "/test/barrier";
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET " + barrier + " HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().status()).as("barrier request").isEqualTo(200);
        }
        upstream.awaitRequests(requestsBefore + 1, Duration.ofSeconds(5));
        List<RecordedRequest> all = upstream.requests();
        assertThat(all.subList(requestsBefore, all.size())).extracting(RecordedRequest::uri)
                .as("requests the upstream received after the refused one").containsExactly(barrier);
    }
}
