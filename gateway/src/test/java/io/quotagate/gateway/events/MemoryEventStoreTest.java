package io.quotagate.gateway.events;

/** The event store contract on the memory store. */
class MemoryEventStoreTest extends EventStoreContract {

    @Override
    protected EventStore newStore() {
        return new MemoryEventStore();
    }
}
