package io.quotagate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Durations ({@code ms s m h d y}) and sizes ({@code KB MB GB}, binary). */
class ConfigUnitsTest {

    @ParameterizedTest
    @CsvSource({"200ms, 200", "2s, 2000", "5m, 300000", "1h, 3600000", "1d, 86400000", "0s, 0", "120s, 120000"})
    void durations(String text, long millis) {
        assertThat(Durations.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1y", "2", "2S", "2 s", "-1s", "1.5s", "s", "", "2sec", "1w", "1000000000000s"})
    void badDurations(String text) {
        assertThatThrownBy(() -> Durations.parseDuration(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a duration like 200ms, 30s, 5m, 1h or 1d");
    }

    @ParameterizedTest
    @CsvSource({"365d, 365, DAYS", "1y, 1, YEARS", "200ms, 200, MILLIS", "30s, 30, SECONDS", "5m, 5, MINUTES", "12h, 12, HOURS"})
    void spans(String text, long amount, ChronoUnit unit) {
        assertThat(Durations.parseSpan(text)).isEqualTo(new Span(amount, unit));
        assertThat(Durations.parseSpan(text)).hasToString(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1Y", "1", "1 y", "1yr", "-1d"})
    void badSpans(String text) {
        assertThatThrownBy(() -> Durations.parseSpan(text)).hasMessage("a duration like 200ms, 30s, 5m, 1h, 365d or 1y");
    }

    @Test
    void yearIsCalendarYearAndDaysAreExact() {
        Instant leap = Instant.parse("2024-02-29T10:00:00Z");
        assertThat(Durations.parseSpan("1y").addTo(leap)).isEqualTo(Instant.parse("2025-02-28T10:00:00Z"));
        assertThat(Durations.parseSpan("365d").addTo(leap)).isEqualTo(Instant.parse("2025-02-28T10:00:00Z"));
        assertThat(Durations.parseSpan("1y").addTo(Instant.parse("2025-03-01T00:00:00Z")))
                .isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "512, 512", "1KB, 1024", "64KB, 65536", "50MB, 52428800", "1GB, 1073741824", "8191, 8191"})
    void sizes(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"50mb", "50 MB", "1TB", "1.5MB", "-1", "MB", "", "1B", "999999999999999GB"})
    void badSizes(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).hasMessage("a size like 65536, 64KB, 50MB or 1GB");
    }

    @ParameterizedTest
    @CsvSource({"1048576, 1MB", "1572864, 1536KB", "100, 100", "0, 0", "2147483648, 2GB"})
    void sizeFormat(long bytes, String text) {
        assertThat(Sizes.format(bytes)).isEqualTo(text);
    }
}
