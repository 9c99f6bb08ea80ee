package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.quotagate.gateway.testkit.FedBuffers;
import io.quotagate.gateway.testkit.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RequestBodyFraming}: request bodies leave as bytes, chunked ones framed again. */
class RequestBodyFramingTest {

    private static final Predicate<CharSequence> ALL = name -> true;

    private final EmbeddedChannel channel = new EmbeddedChannel();

    @RegisterExtension
    final FedBuffers fed = new FedBuffers();

    @Test
    void chunkedBodyIsFramedAgainWithTrailersAndWithoutEmptyChunks() {
        RequestBodyFraming.write(channel, new DefaultHttpContent(fed.text("hello")), true, ALL);
        RequestBodyFraming.write(channel, new DefaultHttpContent(Unpooled.EMPTY_BUFFER), true, ALL);
        RequestBodyFraming.write(channel, new DefaultHttpContent(fed.text("x".repeat(300))), true, ALL);
        LastHttpContent last = new DefaultLastHttpContent(fed.text("end"));
        last.trailingHeaders().add("X-Checksum", "abc").add("X-Other", "1");
        RequestBodyFraming.write(channel, last, true, ALL);
        channel.flushOutbound();
        assertThat(outbound()).isEqualTo("5\r\nhello\r\n12c\r\n" + "x".repeat(300) + "\r\n3\r\nend\r\n0\r\n"
                + "X-Checksum: abc\r\nX-Other: 1\r\n\r\n");
        RequestBodyFraming.write(channel, LastHttpContent.EMPTY_LAST_CONTENT, true, ALL);
        channel.flushOutbound();
        assertThat(outbound()).isEqualTo("0\r\n\r\n");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void trailersPassOnlyWhereTheSameHeadFieldWouldPassAsItIs() {
        RequestHeadWriter writer = new RequestHeadWriter(TestConfigs.builder()
                .upstreamHeader("X-Upstream-Account", "quotagate").build().upstream());
        LastHttpContent last = new DefaultLastHttpContent(fed.text("end"));
        last.trailingHeaders().add("X-Checksum", "abc").add("X-Tenant-Id", "forged").add("X-Api-Key", "k")
                .add("Authorization", "Bearer k").add("Host", "evil").add("X-Forwarded-For", "1.2.3.4")
                .add("Via", "1.0 x").add("Connection", "close").add("X-Upstream-Account", "forged")
                .add("Expect", "100-continue").add("X-Other", "1");
        RequestBodyFraming.write(channel, last, true, writer.trailerFilter());
        channel.flushOutbound();
        assertThat(outbound()).isEqualTo("3\r\nend\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void lengthDelimitedBodyPassesAsItCameAndDropsTrailers() {
        RequestBodyFraming.write(channel, new DefaultHttpContent(fed.text("hel")), false, ALL);
        LastHttpContent last = new DefaultLastHttpContent(fed.text("lo"));
        last.trailingHeaders().add("X-T", "1");
        RequestBodyFraming.write(channel, last, false, ALL);
        RequestBodyFraming.write(channel, LastHttpContent.EMPTY_LAST_CONTENT, false, ALL);
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
}
