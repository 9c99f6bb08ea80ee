package io.quotagate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's RESP2 reply decoder gives what Redisson's StringCodec gives, whatever way the bytes arrive. */
class RespReplyDecoderTest {

    /** One run of admit.lua's reply: 3 requests admitted (RedisAdmission.parse). */
    private static final String ADMIT_REPLY = "*11\r\n:3\r\n$1\r\nA\r\n$5\r\ncount\r\n:1000000\r\n:999999\r\n:-1\r\n"
            + "$10\r\n1234567890\r\n:1\r\n:0\r\n:1\r\n:1\r\n";
    private static final List<Object> ADMIT_VALUES =
            List.of(3L, "A", "count", 1_000_000L, 999_999L, -1L, "1234567890", 1L, 0L, 1L, 1L);

    @Test
    void decodesEveryReplyTypeAsStringsLongsAndLists() {
        List<Object> replies = decode(List.of("+OK\r\n-NOSCRIPT No matching script\r\n:42\r\n$-1\r\n*-1\r\n$0\r\n\r\n"
                + "*2\r\n*1\r\n$3\r\nabc\r\n$-1\r\n" + ADMIT_REPLY));
        assertThat(replies).hasSize(8);
        assertThat(replies.get(0)).isEqualTo("OK");
        assertThat(replies.get(1)).isEqualTo(new RespReplyDecoder.Error("NOSCRIPT No matching script"));
        assertThat(replies.get(2)).isEqualTo(42L);
        assertThat(replies.get(3)).isSameAs(RespReplyDecoder.NIL);
        assertThat(replies.get(4)).isSameAs(RespReplyDecoder.NIL);
        assertThat(replies.get(5)).isEqualTo("");
        assertThat(replies.get(6)).isEqualTo(java.util.Arrays.asList(List.of("abc"), null));
        assertThat(replies.get(7)).isEqualTo(ADMIT_VALUES);
        assertThat(RedisAdmission.parse(cast(replies.get(7)), 3, "r1")).hasSize(3);
    }

    @Test
    void aReplySplitAtAnyByteIsDecodedOnceWhole() {
        String two = ADMIT_REPLY + ADMIT_REPLY;
        for (int cut = 1; cut < two.length(); cut++) {
            List<Object> replies = decode(List.of(two.substring(0, cut), two.substring(cut)));
            assertThat(replies).as("cut at " + cut).containsExactly(ADMIT_VALUES, ADMIT_VALUES);
        }
        List<String> bytes = new ArrayList<>();
        for (char ch : two.toCharArray()) {
            bytes.add(String.valueOf(ch));
        }
        assertThat(decode(bytes)).containsExactly(ADMIT_VALUES, ADMIT_VALUES);
    }

    private static List<Object> decode(List<String> chunks) {
        EmbeddedChannel channel = new EmbeddedChannel(new RespReplyDecoder());
        for (String chunk : chunks) {
            channel.writeInbound(Unpooled.copiedBuffer(chunk, StandardCharsets.UTF_8));
        }
        List<Object> out = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            out.add(o);
        }
        assertFalse(channel.finishAndReleaseAll());
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> cast(Object o) {
        return (List<Object>) o;
    }
}
