package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.quotagate.gateway.testkit.FedBuffers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Header names that are not what they look like: look-alikes of the framing fields (refused in heads and trailers,
 * whatever {@code server.underscores_in_headers} says) and names with underscores (dropped by default).
 */
class FieldNameRulesTest {

    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

    @RegisterExtension
    final FedBuffers fed = new FedBuffers();

    /** The definition, as a table: letters and digits only, case folded, equal to the real name's, not the real name. */
    static Stream<Arguments> names() {
        String cl = "Content-Length";
        String te = "Transfer-Encoding";
        return Stream.of(
                Arguments.of("Content_Length", cl), Arguments.of("content_length", cl), Arguments.of("CONTENT_LENGTH", cl),
                Arguments.of("Content--Length", cl), Arguments.of("Content-_-Length", cl), Arguments.of("-Content-Length", cl),
                Arguments.of("Content-Length_", cl), Arguments.of("ContentLength", cl), Arguments.of("content.length", cl),
                Arguments.of("Content~Length", cl), Arguments.of("_content_length_", cl),
                Arguments.of("Transfer_Encoding", te), Arguments.of("Transfer---Encoding", te), Arguments.of("TRANSFER_ENCODING", te),
                Arguments.of("TransferEncoding", te), Arguments.of("Transfer-Encoding-", te), Arguments.of("transfer.encoding", te),
                // not look-alikes: another name once separators are gone
                Arguments.of("X-Content-Length", null), Arguments.of("Content-Lengths", null), Arguments.of("Content-Length2", null),
                Arguments.of("Content-Type", null), Arguments.of("Content_Lengt", null), Arguments.of("Transfer_Encodings", null),
                Arguments.of("X_Transfer_Encoding", null), Arguments.of("Accept", null), Arguments.of("T", null),
                Arguments.of("-", null), Arguments.of("Te", null));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("names")
    void lookAlikeTable(String name, String resembles) {
        assertThat(lookAlike(name)).isEqualTo(resembles);
    }

    @Test
    void theRealNamesInAnyCaseAreNotLookAlikes() {
        for (String name : new String[] {"Content-Length", "content-length", "CONTENT-LENGTH", "Transfer-Encoding", "transfer-ENCODING"}) {
            assertThat(lookAlike(name)).as(name).isNull();
        }
    }

    private static String lookAlike(String name) {
        byte[] b = ("x:" + name + ":").getBytes(StandardCharsets.US_ASCII); // an offset into a larger array, as in a head
        return FramingLookAlikes.of(b, 2, b.length - 1);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("names")
    void aLookAlikeHeadIsRefusedWithItsReasonInEitherModeOtherNamesPass(String name, String resembles) {
        for (boolean drop : new boolean[] {true, false}) {
            EmbeddedChannel channel = channel(drop);
            channel.writeInbound(fed.text("POST /x HTTP/1.1\r\nHost: h\r\n" + name + ": 3\r\nContent-Length: 0\r\n\r\n"));
            HttpRequest request = channel.readInbound();
            if (resembles == null) {
                assertThat(request.decoderResult().isSuccess()).isTrue();
                assertThat((Object) channel.readInbound()).isInstanceOf(LastHttpContent.class);
            } else {
                assertThat(request.decoderResult().cause()).isInstanceOf(RejectedRequestException.class)
                        .hasMessage("header name that looks like " + resembles + " (only the exact name is accepted)");
                assertThat((Object) channel.readInbound()).isNull();
            }
            assertFalse(channel.finishAndReleaseAll());
        }
    }

    @Test
    void aLookAlikeTrailerFailsTheBody() {
        EmbeddedChannel channel = channel(false);
        channel.writeInbound(fed.text("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "1\r\na\r\n0\r\nContent_Length: 5\r\n\r\n"));
        assertThat(((HttpRequest) channel.readInbound()).decoderResult().isSuccess()).isTrue();
        HttpContent data = channel.readInbound();
        data.release();
        LastHttpContent last = channel.readInbound();
        assertThat(last.decoderResult().cause()).hasMessage("header name that looks like Content-Length (only the exact name is accepted)");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void underscoreNamesAreDroppedFromHeadAndTrailersByDefault() {
        EmbeddedChannel channel = channel(true);
        channel.writeInbound(fed.text("POST /x HTTP/1.1\r\nHost: h\r\nX_Tenant_Id: forged\r\nX-A: a\r\nmy_field: 1\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\nX_Sum: 1\r\nX-Sum: 2\r\n\r\n"));
        HttpRequest request = channel.readInbound();
        assertThat(request.headers().names()).containsExactly("Host", "X-A", "Transfer-Encoding");
        LastHttpContent last = channel.readInbound();
        assertThat(last.trailingHeaders().names()).containsExactly("X-Sum");
        ReferenceCountUtil.release(last);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void underscoreNamesAreKeptWhenForwardingIsConfigured() {
        EmbeddedChannel channel = channel(false);
        channel.writeInbound(fed.text("POST /x HTTP/1.1\r\nHost: h\r\nmy_field: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\nX_Sum: 1\r\n\r\n"));
        HttpRequest request = channel.readInbound();
        assertThat(request.headers().get("my_field")).isEqualTo("1");
        LastHttpContent last = channel.readInbound();
        assertThat(last.trailingHeaders().get("X_Sum")).isEqualTo("1");
        ReferenceCountUtil.release(last);
        assertFalse(channel.finishAndReleaseAll());
    }

    private EmbeddedChannel channel(boolean dropUnderscoreNames) {
        return new EmbeddedChannel(new StrictRequestDecoder(4096, 8192, dropUnderscoreNames, methods));
    }
}
