package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The field names the response relay acts on, as small integer kinds, and the byte-level checks of RFC 9110
 * field syntax the {@link UpstreamResponseDecoder} applies. Names are matched case-insensitively on the raw
 * bytes, comparing only with the watched names of the same length.
 */
final class ResponseFields {

    /** RFC 9110 §7.6.1 hop-by-hop fields: kinds 0..9, never relayed. */
    static final int CONNECTION = 0;
    static final int TRANSFER_ENCODING = 6;
    static final int LAST_HOP_BY_HOP = 9;
    static final int CONTENT_LENGTH = 10;
    static final int VIA = 11;
    static final int RATELIMIT_POLICY = 12;
    static final int RATELIMIT = 13;
    static final int X_CALLS_REMAINING = 14;
    static final int HOST = 15;
    /** The gateway returns its own (the client's, when valid): the upstream's is dropped. */
    static final int X_REQUEST_ID = 16;
    static final int TRAILER = 4;
    /** Named in {@code Connection}: hop-by-hop for this message. */
    static final int LISTED = 17;
    static final int OTHER = -1;

    /** Kind = index: the hop-by-hop fields first, in {@link ForwardingHeaders#HOP_BY_HOP}'s order. */
    private static final String[] NAMES = java.util.stream.Stream.concat(ForwardingHeaders.HOP_BY_HOP.stream(),
            java.util.stream.Stream.of("content-length", "via", "ratelimit-policy", "ratelimit", "x-calls-remaining", "host",
            "x-request-id"))
            .toArray(String[]::new);
    private static final byte[][][] BY_LENGTH = new byte[20][0][];
    private static final int[][] KINDS_BY_LENGTH = new int[20][0];
    /** tchar (RFC 9110 §5.6.2). */
    private static final boolean[] TCHAR = new boolean[256];

    static {
        for (int kind = 0; kind < NAMES.length; kind++) {
            byte[] name = NAMES[kind].getBytes(StandardCharsets.US_ASCII);
            int n = BY_LENGTH[name.length].length;
            BY_LENGTH[name.length] = java.util.Arrays.copyOf(BY_LENGTH[name.length], n + 1);
            KINDS_BY_LENGTH[name.length] = java.util.Arrays.copyOf(KINDS_BY_LENGTH[name.length], n + 1);
            BY_LENGTH[name.length][n] = name;
            KINDS_BY_LENGTH[name.length][n] = kind;
        }
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private ResponseFields() {
    }

    static boolean isHopByHop(int kind) {
        return kind >= 0 && kind <= LAST_HOP_BY_HOP;
    }

    /** The kind of the name in {@code buf[start, end)}, or {@link #OTHER}. */
    static int kind(ByteBuf buf, int start, int end) {
        int len = end - start;
        if (len >= BY_LENGTH.length) {
            return OTHER;
        }
        byte[][] candidates = BY_LENGTH[len];
        for (int i = 0; i < candidates.length; i++) {
            if (equalsLowerCase(buf, start, candidates[i])) {
                return KINDS_BY_LENGTH[len][i];
            }
        }
        return OTHER;
    }

    /** Whether {@code buf[start, start + lower.length)} equals the lower-case ASCII {@code lower}, ignoring case. */
    static boolean equalsLowerCase(ByteBuf buf, int start, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            byte b = buf.getByte(start + i);
            if (b >= 'A' && b <= 'Z') {
                b += 32;
            }
            if (b != lower[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether two ranges of {@code buf} hold the same name, ignoring ASCII case. */
    static boolean sameName(ByteBuf buf, int a, int aEnd, int b, int bEnd) {
        if (aEnd - a != bEnd - b) {
            return false;
        }
        for (int i = 0; i < aEnd - a; i++) {
            int x = buf.getByte(a + i);
            int y = buf.getByte(b + i);
            if (x != y && ((x | 32) != (y | 32) || !isLetter(x | 32))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLetter(int c) {
        return c >= 'a' && c <= 'z';
    }

    static boolean isTchar(byte b) {
        return TCHAR[b & 0xFF];
    }

    /** Control characters other than HTAB (including CR, LF and DEL) may not appear in values, reasons, extensions. */
    static boolean isCtl(byte b) {
        return (b < 0x20 && b >= 0 && b != '\t') || b == 0x7F;
    }

    static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }
}
