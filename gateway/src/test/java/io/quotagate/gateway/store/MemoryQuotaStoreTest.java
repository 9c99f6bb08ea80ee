package io.quotagate.gateway.store;

import static io.quotagate.gateway.store.StoreFixture.DEFAULT;
import static io.quotagate.gateway.store.StoreFixture.GROUP;
import static io.quotagate.gateway.store.StoreFixture.TENANT;
import static io.quotagate.gateway.store.StoreFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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

    @Test
    void aRequestThatEndsWithNothingToSettleLeavesNoRecordBehind() {
        f.create(DEFAULT, now());
        MemoryQuotaStore memory = (MemoryQuotaStore) store;
        List<StoreFixture.Admit> ended = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            StoreFixture.Admit a = request().qps(false).templates(i % 5 == 0 ? TemplateUse.CREATE : TemplateUse.NONE);
            f.admitted(a);
            ended.add(a);
        }
        StoreFixture.Admit inFlight = request().qps(false);
        f.admitted(inFlight);
        assertThat(memory.requestRecords()).isEqualTo(51);

        // A 2xx on a charged route, or on a template create (the slot is kept): nothing to settle.
        for (StoreFixture.Admit a : ended) {
            SettleCommand done = new SettleCommand(a.id(), TENANT, GROUP, false, true, a.templates());
            assertThat(done.changesNothing()).isTrue();
            store.forget(done);
        }

        assertThat(memory.requestRecords()).isEqualTo(1);
        assertThat(f.remaining()).containsExactly(149L);
        assertThat(f.group().templates().used()).isEqualTo(10);
        // The request still in flight settles as usual.
        f.settle(inFlight.id(), true, false);
        assertThat(f.remaining()).containsExactly(150L);
    }

    @Test
    void recordsOfRequestsNeverSettledExpireAfterTheirRetention() {
        f.create(DEFAULT, now());
        MemoryQuotaStore memory = (MemoryQuotaStore) store;
        f.admitted(request().qps(false));
        advance(Duration.ofMillis(StoreFixture.RETENTION + 1));
        f.admitted(request().qps(false));
        assertThat(memory.requestRecords()).isEqualTo(1);
    }
}
