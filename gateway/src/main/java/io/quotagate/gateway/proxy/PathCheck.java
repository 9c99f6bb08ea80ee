package io.quotagate.gateway.proxy;

/**
 * The path rules of a request target, applied by {@link RequestHeadParser} right after it scanned the request
 * line. Routes are matched on the raw path ({@code RouteTable}: no decoding, no dot-segment removal) while an
 * upstream may decode and normalise it, so a path that could name another resource upstream than the one it was
 * charged for is refused instead of forwarded.
 *
 * <p>Only the path is looked at: the target up to its first {@code ?} (the part {@code FrontendHandler} hands to
 * admission); the query is not. The target is origin-form: the parser refuses absolute-form and {@code *} before
 * this runs. Refused: a dot segment (a segment that is exactly {@code .} or {@code ..}, each dot literal or
 * {@code %2e} in either case); an encoded slash ({@code %2f}) or backslash ({@code %5c}), either case; a literal
 * backslash; an encoded NUL ({@code %00}). Accepted: dots inside a segment ({@code a..b}, {@code ..a},
 * {@code a..}, {@code ...}), other percent-encodings, and empty segments ({@code //}), which simply match no
 * literal route segment.
 */
final class PathCheck {

    static final String DOT_SEGMENT = "dot segment in the request path";
    static final String ENCODED_SLASH = "encoded slash in the request path";
    static final String ENCODED_BACKSLASH = "encoded backslash in the request path";
    static final String BACKSLASH = "backslash in the request path";
    static final String ENCODED_NUL = "encoded NUL in the request path";

    private PathCheck() {
    }

    /**
     * Why the path of the target {@code b[start, end)} is refused, or {@code null} if it is not. One pass over the
     * path bytes; allocates nothing.
     */
    static String problem(byte[] b, int start, int end) {
        // Per segment: its characters, a %XX counting as one, and how many of them are dots.
        int chars = 0;
        int dots = 0;
        for (int i = start; i < end; i++) {
            byte c = b[i];
            if (c == '/' || c == '?') {
                if (isDotSegment(chars, dots)) {
                    return DOT_SEGMENT;
                }
                if (c == '?') {
                    return null;
                }
                chars = 0;
                dots = 0;
                continue;
            }
            chars++;
            if (c == '.') {
                dots++;
            } else if (c == '\\') {
                return BACKSLASH;
            } else if (c == '%' && i + 2 < end) {
                byte hi = b[i + 1];
                int lo = b[i + 2] | 0x20; // ASCII letters to lower case; '0' stays '0'
                if (hi == '2' && lo == 'e') {
                    dots++;
                    i += 2;
                } else if (hi == '2' && lo == 'f') {
                    return ENCODED_SLASH;
                } else if (hi == '5' && lo == 'c') {
                    return ENCODED_BACKSLASH;
                } else if (hi == '0' && b[i + 2] == '0') {
                    return ENCODED_NUL;
                }
            }
        }
        return isDotSegment(chars, dots) ? DOT_SEGMENT : null;
    }

    private static boolean isDotSegment(int chars, int dots) {
        return dots == chars && (dots == 1 || dots == 2);
    }
}
