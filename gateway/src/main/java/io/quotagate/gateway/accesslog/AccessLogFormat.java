package io.quotagate.gateway.accesslog;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * One {@link AccessRecord} as one JSON line, keys in a fixed order (docs/observability.md lists them). Latencies in
 * milliseconds with microsecond precision; absent values are {@code null}. Runs on the writer thread.
 */
final class AccessLogFormat {

    private AccessLogFormat() {
    }

    static void append(StringBuilder out, AccessRecord r) {
        out.append("{\"time\":\"");
        DateTimeFormatter.ISO_INSTANT.formatTo(Instant.ofEpochMilli(r.epochMillis()), out);
        out.append('"');
        string(out, "request_id", r.requestId());
        string(out, "tenant", r.tenant());
        string(out, "group", r.group());
        string(out, "route", r.route());
        string(out, "method", r.method());
        string(out, "path", r.path());
        out.append(",\"status\":").append(r.status());
        string(out, "outcome", r.outcome());
        out.append(",\"charged\":").append(r.charged());
        out.append(",\"refunded\":").append(r.refunded());
        millis(out, "total_ms", r.totalNanos());
        millis(out, "upstream_ms", r.upstreamNanos());
        out.append(",\"bytes_in\":").append(r.bytesIn());
        out.append(",\"bytes_out\":").append(r.bytesOut());
        string(out, "client", r.client());
        out.append("}\n");
    }

    private static void string(StringBuilder out, String key, String value) {
        out.append(",\"").append(key).append("\":");
        if (value == null) {
            out.append("null");
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void millis(StringBuilder out, String key, long nanos) {
        out.append(",\"").append(key).append("\":");
        if (nanos < 0) {
            out.append("null");
        } else {
            long micros = nanos / 1000;
            out.append(micros / 1000).append('.');
            long frac = micros % 1000;
            out.append(frac < 100 ? (frac < 10 ? "00" : "0") : "").append(frac);
        }
    }
}
