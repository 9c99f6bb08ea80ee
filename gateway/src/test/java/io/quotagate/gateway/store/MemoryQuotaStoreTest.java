package io.quotagate.gateway.store;

import io.quotagate.gateway.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;

/** The store contract on {@link MemoryQuotaStore}, with a fake clock (time only moves when a test says so). */
class MemoryQuotaStoreTest extends QuotaStoreContract {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00.123456Z"));

    @Override
    protected QuotaStore newStore() {
        return new MemoryQuotaStore(clock);
    }

    @Override
    protected Instant now() {
        return clock.instant();
    }

    @Override
    protected void advance(Duration d) {
        clock.advance(d);
    }
}
