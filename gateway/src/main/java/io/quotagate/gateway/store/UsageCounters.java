package io.quotagate.gateway.store;

import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;

/**
 * The counter names both stores keep per tenant, group and UTC day ({@code admitted}, {@code charged},
 * {@code charged_free}, {@code refunded}, {@code rej:<code>}) and their translation into {@link UsageDay}.
 */
public final class UsageCounters {

    private static final String REJECTED = "rej:";

    private UsageCounters() {
    }

    public static UsageDay toDay(String group, long epochDay, Map<String, Long> counters) {
        Map<String, Long> rejected = new TreeMap<>();
        counters.forEach((name, value) -> {
            if (name.startsWith(REJECTED)) {
                rejected.put(name.substring(REJECTED.length()), value);
            }
        });
        return new UsageDay(group, LocalDate.ofEpochDay(epochDay), counters.getOrDefault("admitted", 0L),
                counters.getOrDefault("charged", 0L), counters.getOrDefault("charged_free", 0L),
                counters.getOrDefault("refunded", 0L), rejected);
    }
}
