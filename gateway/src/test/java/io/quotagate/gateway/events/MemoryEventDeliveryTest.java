package io.quotagate.gateway.events;

import io.quotagate.gateway.store.MemoryQuotaStore;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.testkit.MutableClock;

/** Event delivery on the memory stores. */
class MemoryEventDeliveryTest extends EventDeliveryContract {

    @Override
    protected QuotaStore newQuotaStore(MutableClock clock) {
        return new MemoryQuotaStore(clock);
    }

    @Override
    protected EventStore newEventStore() {
        return new MemoryEventStore();
    }
}
