package io.quotagate.gateway.admission;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request ids unique across replicas and restarts: a random 64-bit replica prefix drawn at start, then a counter.
 * The store dedupes admits by this id, so a resent script never charges twice.
 */
public final class RequestIds {

    private final String prefix;
    private final AtomicLong counter = new AtomicLong();

    public RequestIds() {
        this(Long.toUnsignedString(new SecureRandom().nextLong(), 36));
    }

    RequestIds(String prefix) {
        this.prefix = prefix + "-";
    }

    /** The random prefix of this replica's ids: its id in heartbeats and fail-open ledger entries. */
    public String replicaId() {
        return prefix.substring(0, prefix.length() - 1);
    }

    public String next() {
        return prefix + Long.toString(counter.incrementAndGet(), 36);
    }
}
