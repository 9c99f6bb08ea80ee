package io.quotagate.gateway.quota;

import io.quotagate.gateway.store.MemoryQuotaStore;
import io.quotagate.gateway.store.QuotaStore;
import java.time.Clock;

/** The quota endpoint on the memory store. */
class MemoryQuotaEndpointTest extends QuotaEndpointContract {

    @Override
    protected QuotaStore newStore() {
        return new MemoryQuotaStore(Clock.systemUTC());
    }
}
