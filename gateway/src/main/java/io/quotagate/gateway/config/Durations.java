package io.quotagate.gateway.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations of the config: a whole number followed by {@code ms}, {@code s}, {@code m},
 * {@code h}, {@code d} or {@code y} (e.g. {@code 200ms}, {@code 2s}, {@code 365d}, {@code 1y}). Units are
 * lower case because {@code m} is minutes. A failure throws {@link IllegalArgumentException} whose
 * message is what was expected, for the loader to put in its {@code (expected: …)}.
 */
public final class Durations {

    // 12 digits keep even days-in-seconds (and millis of hours) far from long overflow.
    private static final Pattern FORMAT = Pattern.compile("([0-9]{1,12})(ms|s|m|h|d|y)");

    private Durations() {
    }

    /** A validity period; {@code y} is calendar years (see {@link Span}). */
    public static Span parseSpan(String text) {
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("a duration like 200ms, 30s, 5m, 1h, 365d or 1y");
        }
        return new Span(Long.parseLong(m.group(1)), unit(m.group(2)));
    }

    /** An exact duration, for timeouts; {@code y} is refused because a calendar year has no fixed length. */
    public static Duration parseDuration(String text) {
        Matcher m = FORMAT.matcher(text);
        if (!m.matches() || m.group(2).equals("y")) {
            throw new IllegalArgumentException("a duration like 200ms, 30s, 5m, 1h or 1d");
        }
        return Duration.of(Long.parseLong(m.group(1)), unit(m.group(2)));
    }

    private static ChronoUnit unit(String suffix) {
        return switch (suffix) {
            case "ms" -> ChronoUnit.MILLIS;
            case "s" -> ChronoUnit.SECONDS;
            case "m" -> ChronoUnit.MINUTES;
            case "h" -> ChronoUnit.HOURS;
            case "d" -> ChronoUnit.DAYS;
            case "y" -> ChronoUnit.YEARS;
            default -> throw new IllegalStateException(suffix);
        };
    }
}
