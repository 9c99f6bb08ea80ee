package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which client X-Request-Id values are kept, and what a generated one looks like. */
class RequestIdHeaderTest {

    @Test
    void uuidsTraceIdsAndBase64AreKept() {
        for (String id : new String[] {"3f2b8c1e-7a4d-4e2b-9c1f-0a1b2c3d4e5f", "00-4bf92f3577b34da6a3ce929d0e0e4736-01",
            "abc.DEF_123~:x", "dGVzdA+/==", "a".repeat(128)}) {
            assertThat(RequestIdHeader.of(new DefaultHttpHeaders().add("X-Request-Id", id))).isEqualTo(id);
        }
    }

    @Test
    void emptyTooLongOrUnsafeValuesAreReplaced() {
        for (String id : new String[] {"", "a".repeat(129), "has space", "quote\"", "semi;colon", "caf\u00e9", "tab\t"}) {
            assertThat(RequestIdHeader.valid(id)).as(id).isFalse();
            assertThat(RequestIdHeader.of(new DefaultHttpHeaders().add("X-Request-Id", id))).matches("[0-9a-f]{32}");
        }
    }

    @Test
    void generatedIdsAre32HexDigitsAndDiffer() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(RequestIdHeader.of(new DefaultHttpHeaders()));
        }
        assertThat(ids).hasSize(1000).allMatch(id -> id.matches("[0-9a-f]{32}"));
    }
}
