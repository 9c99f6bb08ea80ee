package io.quotagate.gateway.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the sizes of the config: plain bytes ({@code 8192}) or a whole number with {@code KB},
 * {@code MB} or {@code GB}, binary multiples of 1024 ({@code 50MB} = 52,428,800 bytes). A failure
 * throws {@link IllegalArgumentException} whose message is what was expected.
 */
public final class Sizes {

    public static final long KB = 1024;
    public static final long MB = 1024 * KB;
    public static final long GB = 1024 * MB;

    // 15 digits times GB still overflows a long, so multiplication is checked below.
    private static final Pattern FORMAT = Pattern.compile("([0-9]{1,15})(KB|MB|GB)?");
    private static final String EXPECTED = "a size like 65536, 64KB, 50MB or 1GB";

    private Sizes() {
    }

    public static long parse(String text) {
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(EXPECTED);
        }
        long amount = Long.parseLong(m.group(1));
        long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
            case "KB" -> KB;
            case "MB" -> MB;
            default -> GB;
        };
        try {
            return Math.multiplyExact(amount, unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(EXPECTED, e);
        }
    }

    /** The size in the largest unit that divides it exactly, e.g. {@code 1MB}, {@code 1536KB}, {@code 100}. */
    public static String format(long bytes) {
        if (bytes != 0 && bytes % GB == 0) {
            return bytes / GB + "GB";
        }
        if (bytes != 0 && bytes % MB == 0) {
            return bytes / MB + "MB";
        }
        if (bytes != 0 && bytes % KB == 0) {
            return bytes / KB + "KB";
        }
        return Long.toString(bytes);
    }
}
