package io.quotagate.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One counter name with one label (e.g. {@code quotagate_refunds_total{group}}): a counter per label value, created
 * at its first use or ahead of it by {@link #register}, so a series exists at 0 before its first event.
 */
final class LabeledCounters {

    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final String label;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

    LabeledCounters(MeterRegistry registry, String name, String description, String label) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.label = label;
    }

    /** Makes the series of these label values exist (at 0 until counted). */
    LabeledCounters register(Iterable<String> values) {
        values.forEach(this::counter);
        return this;
    }

    void increment(String value, double amount) {
        counter(value).increment(amount);
    }

    Counter counter(String value) {
        String v = value == null ? "" : value;
        Counter counter = counters.get(v); // get() first: computeIfAbsent's capturing lambda would allocate
        return counter != null ? counter : counters.computeIfAbsent(v,
                k -> Counter.builder(name).description(description).tag(label, k).register(registry));
    }
}
