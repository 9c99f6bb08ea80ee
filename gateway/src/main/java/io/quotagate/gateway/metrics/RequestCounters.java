package io.quotagate.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@code quotagate_requests_total{group,outcome[,tenant]}}: a counter per group, outcome and tenant, in nested maps
 * so a lookup allocates nothing. Without the tenant label, or for a request whose tenant is unknown, the tenant is
 * the empty string (and the label is left out entirely when switched off).
 */
public final class RequestCounters {

    private final MeterRegistry registry;
    private final String name;
    private final boolean tenantLabel;
    /** group → outcome → tenant ("" without the tenant label) → counter. */
    private final ConcurrentMap<String, ConcurrentMap<String, ConcurrentMap<String, Counter>>> counters =
            new ConcurrentHashMap<>();

    RequestCounters(MeterRegistry registry, String name, boolean tenantLabel) {
        this.registry = registry;
        this.name = name;
        this.tenantLabel = tenantLabel;
    }

    /** Makes each group's series of each outcome exist at 0, with no tenant. */
    void register(Collection<String> groups, Collection<String> outcomes) {
        for (String group : groups) {
            for (String outcome : outcomes) {
                counter(group, outcome, null);
            }
        }
    }

    Counter counter(String group, String outcome, String tenant) {
        String g = group == null ? "" : group;
        String t = tenantLabel && tenant != null ? tenant : "";
        // get() first: computeIfAbsent with a capturing lambda would allocate on every call.
        ConcurrentMap<String, ConcurrentMap<String, Counter>> byOutcome = counters.get(g);
        if (byOutcome == null) {
            byOutcome = counters.computeIfAbsent(g, k -> new ConcurrentHashMap<>());
        }
        ConcurrentMap<String, Counter> byTenant = byOutcome.get(outcome);
        if (byTenant == null) {
            byTenant = byOutcome.computeIfAbsent(outcome, k -> new ConcurrentHashMap<>());
        }
        Counter counter = byTenant.get(t);
        if (counter == null) {
            counter = byTenant.computeIfAbsent(t, k -> newCounter(g, outcome, k));
        }
        return counter;
    }

    private Counter newCounter(String group, String outcome, String tenant) {
        Counter.Builder builder = Counter.builder(name).description("Requests by group and outcome")
                .tag("group", group).tag("outcome", outcome);
        if (tenantLabel) {
            builder.tag("tenant", tenant);
        }
        return builder.register(registry);
    }

    Cached cached() {
        return new Cached();
    }

    /**
     * A counter of finished requests for one client connection, which remembers the last counter it used: a
     * keep-alive connection mostly repeats one group, outcome and tenant, and three map lookups per request cost
     * more than the increment. Not thread-safe: one connection's event loop uses it.
     */
    public final class Cached {
        private String group;
        private String outcome;
        private String tenant;
        private Counter counter;

        public void count(String group, String outcome, String tenant) {
            if (counter == null || !Objects.equals(group, this.group) || !outcome.equals(this.outcome)
                    || !Objects.equals(tenant, this.tenant)) {
                this.counter = RequestCounters.this.counter(group, outcome, tenant);
                this.group = group;
                this.outcome = outcome;
                this.tenant = tenant;
            }
            counter.increment();
        }
    }
}
