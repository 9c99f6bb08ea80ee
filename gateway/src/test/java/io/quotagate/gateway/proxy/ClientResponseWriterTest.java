package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.quotagate.gateway.admission.RateLimitState;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link ClientResponseWriter}: the client's head from an upstream head, framing fixed per client version. */
class ClientResponseWriterTest {

    private boolean close;

    @Test
    void responseWithoutLengthIsChunkedForHttp11AndCloseDelimitedForHttp10() {
        String upstream = "HTTP/1.1 200 OK\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n";
        assertThat(write(upstream, null, false, false, false)).isEqualTo(
                "HTTP/1.1 200 OK\r\nX-A: 1\r\nVia: 1.1 quotagate\r\nTransfer-Encoding: chunked\r\n\r\n");
        assertThat(close).isFalse();

        assertThat(write("HTTP/1.1 200 OK\r\n\r\n", null, true, false, false)).isEqualTo(
                "HTTP/1.1 200 OK\r\nVia: 1.1 quotagate\r\nConnection: close\r\n\r\n");
        assertThat(close).isTrue();

        assertThat(write("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n", new RateLimitState(5, 4, 0, -1),
                true, true, false)).isEqualTo("HTTP/1.1 204 No Content\r\nVia: 1.1 quotagate\r\n"
                + "RateLimit-Policy: \"qps\";q=5;w=1\r\nRateLimit: \"qps\";r=4;t=0\r\nConnection: keep-alive\r\n\r\n");
        assertThat(close).isFalse();
    }

    @Test
    void hopByHopAndListedFieldsAreDroppedButFramingAndHostSurvive() {
        String upstream = "HTTP/1.0 200 Fine Thanks\r\nContent-Length: 2\r\nConnection: keep-alive, X-Hop, Content-Length, Host\r\n"
                + "X-Hop: 1\r\nKeep-Alive: timeout=5\r\nHost: h\r\nVia: 1.0 a\r\nvia:  1.1 b \r\nProxy-Authenticate: x\r\n"
                + "TE: t\r\nTrailer: x\r\nUpgrade: u\r\nProxy-Connection: p\r\nHTTP2-Settings: s\r\nProxy-Authorization: p\r\n"
                + "RateLimit: forged\r\nX-Calls-Remaining: 99\r\nX-Keep:\r\n\r\n";
        assertThat(write(upstream, new RateLimitState(10, 7, 1, 3), false, false, false)).isEqualTo(
                "HTTP/1.1 200 Fine Thanks\r\nContent-Length: 2\r\nHost: h\r\nX-Keep: \r\nVia: 1.0 a, 1.1 b, 1.1 quotagate\r\n"
                + "RateLimit-Policy: \"qps\";q=10;w=1\r\nRateLimit: \"qps\";r=7;t=1\r\nX-Calls-Remaining: 3\r\n\r\n");
    }

    @Test
    void upstreamRateLimitFieldsPassWhenThereIsNoStateAndContentLengthLosesToTransferEncoding() {
        String upstream = "HTTP/1.1 200\r\nRateLimit: theirs\r\nContent-Length: 9\r\nTransfer-Encoding: chunked\r\n\r\n";
        assertThat(write(upstream, null, false, false, true)).isEqualTo(
                "HTTP/1.1 200 \r\nRateLimit: theirs\r\nVia: 1.1 quotagate\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        assertThat(close).isTrue();
    }

    @Test
    void theGatewaysRequestIdReplacesTheUpstreamsAfterTheRateLimitFields() {
        String upstream = "HTTP/1.1 200 OK\r\nx-request-id: theirs\r\nContent-Length: 0\r\n\r\n";
        assertThat(writeWithId(upstream, new RateLimitState(5, 4, 0, -1), false, false, false)).isEqualTo(
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nVia: 1.1 quotagate\r\n"
                        + "RateLimit-Policy: \"qps\";q=5;w=1\r\nRateLimit: \"qps\";r=4;t=0\r\nX-Request-Id: rid-1\r\n\r\n");
    }

    /** The head as written, without the X-Request-Id line (which {@link #theGatewaysRequestIdReplacesTheUpstreamsAfterTheRateLimitFields} checks). */
    private String write(String upstream, RateLimitState state, boolean http10, boolean bodyless, boolean closeAfter) {
        String head = writeWithId(upstream, state, http10, bodyless, closeAfter);
        assertThat(head).containsOnlyOnce("X-Request-Id: rid-1\r\n");
        return head.replace("X-Request-Id: rid-1\r\n", "");
    }

    private String writeWithId(String upstream, RateLimitState state, boolean http10, boolean bodyless, boolean closeAfter) {
        ByteBuf in = Unpooled.copiedBuffer("junk" + upstream, StandardCharsets.ISO_8859_1).skipBytes(4);
        UpstreamResponseHead head = ResponseHeadParser.parse(in, in.readerIndex(), in.writerIndex(), false);
        ByteBuf out = Unpooled.buffer();
        try {
            close = ClientResponseWriter.writeHead(out, head, state, http10, bodyless, closeAfter, "rid-1");
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            head.release();
            in.release();
            out.release();
        }
    }
}
