package io.quotagate.gateway.config;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * A validity period from config: {@code ms}, {@code s}, {@code m}, {@code h}, {@code d} are exact durations,
 * {@code y} is calendar years in UTC (a pack granted on 29 Feb expires on 28 Feb or 1 Mar as
 * {@link java.time.ZonedDateTime#plusYears} decides).
 */
public record Span(long amount, ChronoUnit unit) {

    public Instant addTo(Instant start) {
        if (unit == ChronoUnit.YEARS) {
            return start.atOffset(ZoneOffset.UTC).plusYears(amount).toInstant();
        }
        return start.plus(Duration.of(amount, unit));
    }

    @Override
    public String toString() {
        String suffix = switch (unit) {
            case MILLIS -> "ms";
            case SECONDS -> "s";
            case MINUTES -> "m";
            case HOURS -> "h";
            case DAYS -> "d";
            case YEARS -> "y";
            default -> unit.toString();
        };
        return amount + suffix;
    }
}
