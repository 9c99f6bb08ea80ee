package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link PathCheck}: which request targets are refused for their path, and with which reason. */
class PathCheckTest {

    static Stream<Arguments> refused() {
        return Stream.of(
                // dot segments, literal, at the start, the middle and the end
                Arguments.of("/.", PathCheck.DOT_SEGMENT),
                Arguments.of("/..", PathCheck.DOT_SEGMENT),
                Arguments.of("/./a", PathCheck.DOT_SEGMENT),
                Arguments.of("/../a", PathCheck.DOT_SEGMENT),
                Arguments.of("/a/.", PathCheck.DOT_SEGMENT),
                Arguments.of("/a/..", PathCheck.DOT_SEGMENT),
                Arguments.of("/a/./b", PathCheck.DOT_SEGMENT),
                Arguments.of("/a/../b", PathCheck.DOT_SEGMENT),
                Arguments.of("/a/./", PathCheck.DOT_SEGMENT),
                Arguments.of("/a/../", PathCheck.DOT_SEGMENT),
                Arguments.of("/a//..", PathCheck.DOT_SEGMENT),
                Arguments.of("/v1/portrait/free/../generate", PathCheck.DOT_SEGMENT),
                Arguments.of("/v1/templates/..", PathCheck.DOT_SEGMENT),
                // the path ends at '?': a dot segment right before the query
                Arguments.of("/a/..?x=1", PathCheck.DOT_SEGMENT),
                Arguments.of("/a/.?", PathCheck.DOT_SEGMENT),
                Arguments.of("/..?", PathCheck.DOT_SEGMENT),
                // percent-encoded dots, in either case, alone or mixed with literal ones
                Arguments.of("/%2e", PathCheck.DOT_SEGMENT),
                Arguments.of("/%2E", PathCheck.DOT_SEGMENT),
                Arguments.of("/a/%2e%2e", PathCheck.DOT_SEGMENT),
                Arguments.of("/a/%2E%2E/b", PathCheck.DOT_SEGMENT),
                Arguments.of("/a/%2E%2e/b", PathCheck.DOT_SEGMENT),
                Arguments.of("/a/.%2e", PathCheck.DOT_SEGMENT),
                Arguments.of("/a/.%2E/b", PathCheck.DOT_SEGMENT),
                Arguments.of("/a/%2e.", PathCheck.DOT_SEGMENT),
                Arguments.of("/%2e/a", PathCheck.DOT_SEGMENT),
                Arguments.of("/a/%2e%2e?q", PathCheck.DOT_SEGMENT),
                // encoded slash and backslash, anywhere in the path, either case
                Arguments.of("/a%2fb", PathCheck.ENCODED_SLASH),
                Arguments.of("/a/%2F", PathCheck.ENCODED_SLASH),
                Arguments.of("/%2F..", PathCheck.ENCODED_SLASH),
                Arguments.of("/a/..%2f", PathCheck.ENCODED_SLASH),
                Arguments.of("/a%5cb", PathCheck.ENCODED_BACKSLASH),
                Arguments.of("/a/%5C", PathCheck.ENCODED_BACKSLASH),
                Arguments.of("/a\\b", PathCheck.BACKSLASH),
                Arguments.of("/a/..\\", PathCheck.BACKSLASH),
                Arguments.of("/\\", PathCheck.BACKSLASH),
                // encoded NUL
                Arguments.of("/a%00", PathCheck.ENCODED_NUL),
                Arguments.of("/%00/b", PathCheck.ENCODED_NUL));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refused(String target, String reason) {
        assertThat(problem(target)).as(target).isEqualTo(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/", "/a", "/a/", "/v1/a.b", "/v1/..a", "/v1/a..", "/v1/a..b/c", "/...", "/a/.../b", "/.a/a.", "/.well-known/x",
        // empty segments are not refused: they simply match no literal route segment
        "//", "/a//b", "//a",
        // dots inside a segment, encoded: the segment is not only dots
        "/a%2e", "/%2ea", "/a/%2e%2e%2e", "/a/.%2e.", "/%2e%2ex",
        // other percent-encodings, and ones cut short at the end
        "/a%20b", "/a%41", "/a%2", "/a%", "/a/%0", "/a%01", "/a%25", "/%%2e",
        // the query is not looked at
        "/a?x=../y", "/a?../..", "/a?%2e%2e", "/a?x=%2f%2F%5c%5C%00", "/a?\\", "/?/../", "/a/b?.", "/a?",
    })
    void accepted(String target) {
        assertThat(problem(target)).as(target).isNull();
    }

    @Test
    void onlyTheGivenRangeIsLookedAt() {
        // As the parser calls it: the target inside a whole request line.
        byte[] line = "GET /a/b HTTP/1.1/..\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(PathCheck.problem(line, 4, 8)).isNull();
        byte[] encoded = "GET /a/%2e%2e HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(PathCheck.problem(encoded, 4, 13)).isEqualTo(PathCheck.DOT_SEGMENT);
        // "/a/%2e%2": the escape cut by the end of the range is not decoded from the byte after it
        assertThat(PathCheck.problem(encoded, 4, 12)).isNull();
    }

    private static String problem(String target) {
        byte[] bytes = target.getBytes(StandardCharsets.US_ASCII);
        return PathCheck.problem(bytes, 0, bytes.length);
    }
}
