package io.quotagate.gateway.admin;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * How long a QPS purchase lasts: whole days (24 h each) or calendar months in UTC. A month ends on the same
 * day-of-month of the later month, or on its last day when that month is shorter (31 Jan + 1 month = 28 Feb).
 */
public record QpsTerm(long amount, Unit unit) {

    public enum Unit { DAYS, MONTHS }

    public QpsTerm {
        if (amount <= 0) {
            throw new IllegalArgumentException("term: " + amount + " (expected: > 0)");
        }
    }

    public static QpsTerm days(long days) {
        return new QpsTerm(days, Unit.DAYS);
    }

    public static QpsTerm months(long months) {
        return new QpsTerm(months, Unit.MONTHS);
    }

    public Instant end(Instant start) {
        return switch (unit) {
            case DAYS -> start.plus(Duration.ofDays(amount));
            case MONTHS -> start.atOffset(ZoneOffset.UTC).plusMonths(amount).toInstant();
        };
    }

    /** The wire name of the unit: {@code days} or {@code months}. */
    public String field() {
        return unit == Unit.DAYS ? "days" : "months";
    }
}
