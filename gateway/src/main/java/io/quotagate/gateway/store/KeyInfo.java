package io.quotagate.gateway.store;

import java.time.Instant;

/**
 * An API key as stored: never the key itself, only its SHA-256 digest.
 *
 * @param digest lower-case hex SHA-256 of the key
 * @param revokedAt null while the key works
 */
public record KeyInfo(String keyId, String digest, Instant createdAt, Instant revokedAt) {

    public boolean active() {
        return revokedAt == null;
    }
}
