package io.quotagate.gateway.config;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code defaults}: the plan every tenant gets in every group (free allowance, validities, refunds). */
final class DefaultsReader {

    static final RefundPolicy DEFAULT_REFUND_ON = new RefundPolicy(List.of(
            new RefundPolicy.StatusRange(500, 599), new RefundPolicy.StatusRange(429, 429)));
    private static final Pattern STATUS_OR_RANGE = Pattern.compile("([0-9]{1,3})(?:-([0-9]{1,3}))?");
    private static final String REFUND_EXPECTED = "a status in 100..599 or a range such as 500-599";

    private DefaultsReader() {
    }

    static Defaults defaults(ConfigMap root) throws ConfigException {
        ConfigMap m = root.section("defaults",
                "free_calls", "free_templates", "free_pack_validity", "pack_validity", "refund_on");
        return new Defaults(
                m.integer("free_calls", 200, 0, Integer.MAX_VALUE),
                m.integer("free_templates", 20, 0, Integer.MAX_VALUE),
                m.span("free_pack_validity", new Span(365, ChronoUnit.DAYS)),
                m.span("pack_validity", new Span(1, ChronoUnit.YEARS)),
                refundOn(m.get("refund_on")));
    }

    private static RefundPolicy refundOn(ConfigNode node) throws ConfigException {
        if (node == null) {
            return DEFAULT_REFUND_ON;
        }
        // An empty list is allowed: it means no upstream answer refunds (transport errors and timeouts still do).
        List<RefundPolicy.StatusRange> ranges = new ArrayList<>();
        for (ConfigNode item : node.list()) {
            ranges.add(statusRange(item));
        }
        return new RefundPolicy(ranges);
    }

    private static RefundPolicy.StatusRange statusRange(ConfigNode item) throws ConfigException {
        String text = item.string();
        Matcher m = STATUS_OR_RANGE.matcher(text);
        if (!m.matches()) {
            throw item.invalid(text, REFUND_EXPECTED);
        }
        int from = Integer.parseInt(m.group(1));
        int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
        if (from < 100 || to > 599 || from > to) {
            throw item.invalid(text, REFUND_EXPECTED);
        }
        return new RefundPolicy.StatusRange(from, to);
    }
}
