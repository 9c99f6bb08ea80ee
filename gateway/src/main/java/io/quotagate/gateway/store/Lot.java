package io.quotagate.gateway.store;

import java.time.Instant;
import java.util.Comparator;

/** A call lot (a "resource pack"): calls of one tenant and group, valid until {@code expiresAt}. */
public record Lot(String id, Source source, long calls, long remaining, Instant grantedAt, Instant expiresAt, String orderId) {

    /** Rule 2: the free lot first, then paid lots by earliest expiry, ties by earliest grant, then by id. */
    public static final Comparator<Lot> USE_ORDER = Comparator
            .comparing((Lot l) -> l.source() != Source.FREE)
            .thenComparing(l -> l.source() == Source.FREE ? Instant.EPOCH : l.expiresAt())
            .thenComparing(Lot::grantedAt)
            .thenComparing(Lot::id);

    public enum Source { FREE, PAID }

    public boolean usableAt(Instant now) {
        return remaining > 0 && now.isBefore(expiresAt);
    }
}
