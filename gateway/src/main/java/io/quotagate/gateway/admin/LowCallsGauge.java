package io.quotagate.gateway.admin;

import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code quotagate_tenants_low_on_calls{group}} current: a thread of its own runs a {@link LowCalls} scan every
 * {@code metrics.low_calls.interval} (the first right away) and publishes the count per group. A scan still running
 * when the next is due makes that one skip, so a slow store never piles scans up.
 */
public final class LowCallsGauge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LowCallsGauge.class);

    private final LowCalls lowCalls;
    private final Supplier<GatewayConfig> configs;
    private final GatewayMetrics metrics;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean running = new AtomicBoolean();

    public LowCallsGauge(LowCalls lowCalls, Supplier<GatewayConfig> configs, GatewayMetrics metrics) {
        this.lowCalls = lowCalls;
        this.configs = configs;
        this.metrics = metrics;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "quotagate-low-calls");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the periodic scans. */
    public LowCallsGauge start(Duration interval) {
        thread.scheduleWithFixedDelay(this::scan, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void scan() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        lowCalls.scan(0, thread).whenComplete((scan, error) -> {
            running.set(false);
            if (error != null) {
                LOG.debug("counting tenants low on calls failed: {}", error.toString());
                return; // the last count stays; the store's own metrics say why
            }
            if (scan.truncated()) {
                LOG.warn("tenants low on calls: only the first {} tenants were read (metrics.low_calls.max_tenants)",
                        scan.tenantsRead());
            }
            metrics.tenantsLowOnCalls(scan.countByGroup(configs.get().groups().keySet()));
        });
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
