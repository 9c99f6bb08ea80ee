package io.quotagate.gateway.store;

import java.time.Instant;

/** A call lot (a "resource pack"): calls of one tenant and group, valid until {@code expiresAt}. */
public record Lot(String id, Source source, long calls, long remaining, Instant grantedAt, Instant expiresAt, String orderId) {

    public enum Source { FREE, PAID }

    public boolean usableAt(Instant now) {
        return remaining > 0 && now.isBefore(expiresAt);
    }
}
