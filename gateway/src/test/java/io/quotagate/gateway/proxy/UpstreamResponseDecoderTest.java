package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.quotagate.gateway.testkit.FedBuffers;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link UpstreamResponseDecoder}: heads, the four body framings, interim responses, byte splits, malformed input. */
class UpstreamResponseDecoderTest {

    private static final String CHUNKED_HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: a\r\n\r\n";
    private static final String CHUNKS = "5;ext=1;q=\"a b\"\r\nhello\r\n6 ; x\r\n world\r\n0\r\nX-Trailer: t\r\n"
            + "Content-Length: 11\r\nX-Other: o\r\n\r\n";
    /** The chunks as relayed: framing and trailers kept, except the framing field Netty's decoder drops too. */
    private static final String CHUNKS_RELAYED = "5;ext=1;q=\"a b\"\r\nhello\r\n6 ; x\r\n world\r\n0\r\nX-Trailer: t\r\n"
            + "X-Other: o\r\n\r\n";
    private static final String TWO_RESPONSES = "HTTP/1.1 100 Continue\r\n\r\n" + CHUNKED_HEAD + CHUNKS
            + "HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\nbody";

    private final EmbeddedChannel channel = new EmbeddedChannel(new UpstreamResponseDecoder());

    /** What came out of the decoder, in order: "H<status>" per head, the body bytes, "|" per END. */
    private final StringBuilder events = new StringBuilder();
    private final List<UpstreamResponseHead> heads = new ArrayList<>();

    @RegisterExtension
    final FedBuffers fed = new FedBuffers();

    @Test
    void contentLengthBodyPassesThroughAndTheConnectionStaysReusable() {
        feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: a\r\n\r\nhello");
        assertThat(events).hasToString("H200hello|");
        assertThat(heads.get(0).keepAlive()).isTrue();
        assertThat(heads.get(0).framing()).isEqualTo(UpstreamResponseHead.Framing.LENGTH);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void chunkedBodyIsRelayedWithItsFramingOrDeChunked() {
        feed(CHUNKED_HEAD + CHUNKS);
        assertThat(events).hasToString("H200" + CHUNKS_RELAYED + "|");
        assertThat(heads.get(0).keepAlive()).isTrue();

        events.setLength(0);
        expect(false, true);
        feed(CHUNKED_HEAD + CHUNKS);
        assertThat(events).hasToString("H200hello world|");
        assertFalse(channel.finishAndReleaseAll());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everySplitGivesTheSameResult(boolean dechunk) {
        String expected = decodeInPieces(dechunk, TWO_RESPONSES.length());
        assertThat(expected).isEqualTo("H200" + (dechunk ? "hello world" : CHUNKS_RELAYED) + "|H201body|");
        assertThat(decodeInPieces(dechunk, 1)).isEqualTo(expected);
        for (int at = 1; at < TWO_RESPONSES.length(); at++) {
            EmbeddedChannel split = new EmbeddedChannel(new UpstreamResponseDecoder());
            split.pipeline().get(UpstreamResponseDecoder.class).expect(false, dechunk);
            split.writeInbound(fed.text(TWO_RESPONSES.substring(0, at)));
            split.writeInbound(fed.text(TWO_RESPONSES.substring(at)));
            assertThat(drain(split, new StringBuilder(), null)).as("split at %d", at).isEqualTo(expected);
            assertFalse(split.finishAndReleaseAll());
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void smallBodyThatCameWithTheHeadRidesInItAndALargerOneFollowsAsSlices() {
        String big = "x".repeat(ResponseHeadParser.MAX_INLINE_BODY + 1);
        feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        feed("HTTP/1.1 200 OK\r\nContent-Length: " + big.length() + "\r\n\r\n" + big);
        assertThat(heads).extracting(UpstreamResponseHead::inlineBodyLength).containsExactly(2, 0);
        assertThat(events).hasToString("H200ok|H200" + big + "|");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void closeDelimitedBodyEndsWithTheConnection() {
        feed("HTTP/1.1 200 OK\r\n\r\nab", "c");
        assertThat(events).hasToString("H200abc");
        assertThat(heads.get(0).keepAlive()).isFalse();
        channel.finish();
        drain(channel, events, heads);
        assertThat(events).hasToString("H200abc|");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void headRequestAnd204And304HaveNoBody() {
        expect(true, false);
        feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        feed("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n");
        feed("HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n");
        feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); // the HEAD expectation was for one response only
        assertThat(events).hasToString("H200|H204|H304|H200ok|");
        assertThat(heads.get(0).lengthKnown()).isTrue();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void interimResponsesAreSkipped() {
        feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertThat(events).hasToString("H200|");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void http10ResponseIsReusableOnlyWithKeepAliveAndConnectionCloseIsNot() {
        feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
        feed("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n");
        feed("HTTP/1.1 200 OK\r\nConnection: x, close\r\nContent-Length: 0\r\n\r\n");
        assertThat(heads).extracting(UpstreamResponseHead::keepAlive).containsExactly(false, true, false);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void transferEncodingWinsOverContentLengthAndTheConnectionIsNotReused() {
        feed("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
        assertThat(events).hasToString("H200" + "2\r\nok\r\n0\r\n\r\n" + "|");
        assertThat(heads.get(0).keepAlive()).isFalse();
        assertThat(heads.get(0).lengthKnown()).isFalse();
        assertFalse(channel.finishAndReleaseAll());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1,1\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A : a\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX\u0001A: a\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\n: a\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: a\u0000\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer: x\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n",
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n",
        "\r\nHTTP/1.1 200 OK\r\n\r\n",
    })
    void malformedResponsesFailAndLaterBytesAreIgnored(String response) {
        assertThatThrownBy(() -> channel.writeInbound(fed.text(response))).isInstanceOf(DecoderException.class);
        drain(channel, events, heads);
        channel.writeInbound(fed.text("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        assertThat(channel.<Object>readInbound()).isNull();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void oversizeHeadFailsEvenBeforeItEnds() {
        String big = "HTTP/1.1 200 OK\r\n" + ("X-Big: " + "a".repeat(1000) + "\r\n").repeat(66);
        assertThatThrownBy(() -> channel.writeInbound(fed.text(big))).isInstanceOf(DecoderException.class);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void headJustUnderTheLimitIsAccepted() {
        String prefix = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Big: ";
        String head = prefix + "a".repeat(UpstreamResponseDecoder.MAX_HEAD_SIZE - prefix.length() - 4) + "\r\n\r\n";
        feed(head);
        assertThat(events).hasToString("H200|");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void prematureCloseEndsNothing() {
        feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        channel.finish();
        drain(channel, events, heads);
        assertThat(events).hasToString("H200abc"); // no END: the exchange sees the close as a failure
        assertFalse(channel.finishAndReleaseAll());
    }

    private String decodeInPieces(boolean dechunk, int piece) {
        EmbeddedChannel ch = new EmbeddedChannel(new UpstreamResponseDecoder());
        ch.pipeline().get(UpstreamResponseDecoder.class).expect(false, dechunk);
        for (int i = 0; i < TWO_RESPONSES.length(); i += piece) {
            ch.writeInbound(fed.text(TWO_RESPONSES.substring(i, Math.min(TWO_RESPONSES.length(), i + piece))));
        }
        String result = drain(ch, new StringBuilder(), null);
        assertFalse(ch.finishAndReleaseAll());
        return result;
    }

    private void expect(boolean headRequest, boolean dechunk) {
        channel.pipeline().get(UpstreamResponseDecoder.class).expect(headRequest, dechunk);
    }

    private void feed(String... pieces) {
        for (String piece : pieces) {
            channel.writeInbound(fed.text(piece));
        }
        drain(channel, events, heads);
    }

    private static String drain(EmbeddedChannel ch, StringBuilder sb, List<UpstreamResponseHead> heads) {
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            if (msg == UpstreamResponseDecoder.END) {
                sb.append('|');
            } else if (msg instanceof UpstreamResponseHead head) {
                sb.append('H').append(head.status()).append(head.content().toString(
                        head.content().readerIndex() + head.headLength(), head.inlineBodyLength(), StandardCharsets.ISO_8859_1));
                if (heads != null) {
                    heads.add(head);
                }
                head.release();
            } else {
                ByteBuf buf = (ByteBuf) msg;
                sb.append(buf.toString(StandardCharsets.ISO_8859_1));
                buf.release();
            }
        }
        return sb.toString();
    }
}
