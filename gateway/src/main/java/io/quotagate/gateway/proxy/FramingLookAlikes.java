package io.quotagate.gateway.proxy;

/**
 * Field names that look like a framing field without being it, refused by {@link RequestHeadParser} in heads and
 * trailers. A name is a look-alike of Content-Length (Transfer-Encoding) when it is not that name in any case, but
 * becomes {@code contentlength} ({@code transferencoding}) once ASCII case is folded and every character that is not
 * a letter or digit is removed: {@code Content_Length}, {@code Transfer---Encoding}, {@code content.length},
 * {@code ContentLength}, {@code -Content-Length}. Upstream stacks that map {@code _} (or any separator) to {@code -},
 * or ignore separators, would read such a field as framing that the proxy never saw: two views of one body.
 */
final class FramingLookAlikes {

    private static final byte[] CONTENT_LENGTH = {'c', 'o', 'n', 't', 'e', 'n', 't', 'l', 'e', 'n', 'g', 't', 'h'};
    private static final byte[] TRANSFER_ENCODING =
            {'t', 'r', 'a', 'n', 's', 'f', 'e', 'r', 'e', 'n', 'c', 'o', 'd', 'i', 'n', 'g'};

    private FramingLookAlikes() {
    }

    /**
     * The framing field the name {@code b[start, end)} resembles ("Content-Length" or "Transfer-Encoding"), or null
     * (also for the real names, in any case). Most names leave at their first letter.
     */
    static String of(byte[] b, int start, int end) {
        byte[] target = null;
        int t = 0;
        for (int i = start; i < end; i++) {
            int c = b[i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            } else if ((c < 'a' || c > 'z') && (c < '0' || c > '9')) {
                continue;
            }
            if (target == null) {
                target = c == 'c' ? CONTENT_LENGTH : c == 't' ? TRANSFER_ENCODING : null;
                if (target == null) {
                    return null;
                }
            }
            if (t == target.length || target[t++] != c) {
                return null;
            }
        }
        if (target == null || t != target.length) {
            return null;
        }
        String real = target == CONTENT_LENGTH ? "Content-Length" : "Transfer-Encoding";
        return end - start == real.length() && b[start + real.indexOf('-')] == '-' ? null : real;
    }
}
