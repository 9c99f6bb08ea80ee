package io.quotagate.gateway.admin;

import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.TenantView;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Who runs out of calls: the active count-mode tenants whose usable calls in a configured group are below
 * {@code metrics.low_calls.threshold}. A scan reads the tenant ids and then each tenant, at most
 * {@code metrics.low_calls.max_tenants} of them and {@link #IN_FLIGHT} reads at a time, so its cost on the store is
 * bounded; it runs its steps on the executor it is given (never on an event loop). The periodic gauge and
 * {@code tenant list --low} both use it.
 */
public final class LowCalls {

    /** Tenant reads in flight at once during a scan. */
    static final int IN_FLIGHT = 16;

    /** One tenant low on calls in one group. */
    public record Low(String tenant, String group, long callsRemaining) {
    }

    /**
     * @param low        in tenant order, then group order
     * @param threshold  the threshold the scan used
     * @param truncated  whether there were more tenants than {@code max_tenants} (the rest were not read)
     */
    public record Scan(List<Low> low, long threshold, int tenantsRead, boolean truncated) {

        /** Tenants low on calls per configured group, 0 for a group with none. */
        public Map<String, Long> countByGroup(Iterable<String> groups) {
            Map<String, Long> counts = new LinkedHashMap<>();
            groups.forEach(g -> counts.put(g, 0L));
            low.forEach(l -> counts.computeIfPresent(l.group(), (g, n) -> n + 1));
            return counts;
        }
    }

    private final QuotaStore store;
    private final Supplier<GatewayConfig> configs;
    private final InstantSource clock;

    public LowCalls(QuotaStore store, Supplier<GatewayConfig> configs, InstantSource clock) {
        this.store = store;
        this.configs = configs;
        this.clock = clock;
    }

    /** A scan with the threshold of the config in force, or {@code threshold} when it is positive. */
    public CompletionStage<Scan> scan(long threshold, Executor executor) {
        GatewayConfig config = configs.get();
        long limit = threshold > 0 ? threshold : config.metrics().lowCallsThreshold();
        int max = config.metrics().lowCallsMaxTenants();
        Instant now = clock.instant();
        return store.tenantIds().thenComposeAsync(ids -> {
            List<String> sorted = ids.stream().sorted().limit(max).toList();
            List<Low> low = Collections.synchronizedList(new ArrayList<>());
            return readFrom(sorted, 0, config, limit, now, low, executor)
                    .thenApply(done -> new Scan(List.copyOf(low), limit, sorted.size(), ids.size() > max));
        }, executor);
    }

    private CompletionStage<Void> readFrom(List<String> ids, int from, GatewayConfig config, long limit, Instant now,
                                           List<Low> low, Executor executor) {
        if (from >= ids.size()) {
            return CompletableFuture.completedFuture(null);
        }
        List<String> chunk = ids.subList(from, Math.min(from + IN_FLIGHT, ids.size()));
        List<CompletableFuture<Optional<TenantView>>> reads = chunk.stream()
                .map(id -> store.tenant(id).toCompletableFuture()).toList();
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenComposeAsync(done -> {
            reads.forEach(read -> read.join().ifPresent(t -> collect(t, config, limit, now, low)));
            return readFrom(ids, from + IN_FLIGHT, config, limit, now, low, executor);
        }, executor);
    }

    private static void collect(TenantView tenant, GatewayConfig config, long limit, Instant now, List<Low> low) {
        if (tenant.status() != TenantView.Status.ACTIVE) {
            return;
        }
        for (String group : config.groups().keySet()) {
            TenantView.GroupView view = tenant.groups().get(group);
            if (view == null || view.mode() != BillingMode.COUNT) {
                continue;
            }
            long calls = TenantBalances.callsRemaining(view, now);
            if (calls < limit) {
                low.add(new Low(tenant.id(), group, calls));
            }
        }
    }
}
