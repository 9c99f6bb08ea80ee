package io.quotagate.gateway.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The buffers a handler test feeds into an {@code EmbeddedChannel}, checked after each test to have been released
 * ({@code refCnt() == 0}). Netty's leak detector does not track unpooled heap buffers, so this is what catches a
 * handler that keeps one. Register with {@code @RegisterExtension final FedBuffers fed = new FedBuffers();}.
 */
public final class FedBuffers implements AfterEachCallback {

    private final List<ByteBuf> fed = new ArrayList<>();

    /** Tracks {@code buf} (not the shared empty buffer, which is never released) and returns it. */
    public ByteBuf track(ByteBuf buf) {
        if (buf != Unpooled.EMPTY_BUFFER) {
            fed.add(buf);
        }
        return buf;
    }

    /** A tracked buffer holding {@code text} as ISO-8859-1 bytes (control characters pass unchanged). */
    public ByteBuf text(String text) {
        return track(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            assertThat(fed).allSatisfy(buf -> assertThat(buf.refCnt()).as("refCnt of a fed buffer").isZero());
        } finally {
            fed.clear();
        }
    }
}
