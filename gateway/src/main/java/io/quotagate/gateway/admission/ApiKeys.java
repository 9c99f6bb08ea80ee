package io.quotagate.gateway.admission;

import io.quotagate.gateway.store.StoreRules;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API keys: {@code qg_<tenantId>.<secret>}, where the secret is 192 random bits in base64url. The tenant id in
 * the key lets the store find every key of a tenant in the tenant's own hash slot, so admission stays one
 * round trip on Redis Cluster; the {@code qg_} prefix lets secret scanners find leaked keys. Keys are stored
 * only as SHA-256 digests: high-entropy secrets need no slow hash, and a lookup by digest reveals nothing
 * about the key through its timing.
 */
public final class ApiKeys {

    public static final String PREFIX = "qg_";
    private static final int SECRET_BYTES = 24;
    private static final int SECRET_CHARS = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Per thread: no locking, and each event loop keeps the keys of its own connections. */
    private static final ThreadLocal<DigestCache> DIGESTS = ThreadLocal.withInitial(DigestCache::new);

    private ApiKeys() {
    }

    /** A new key for the tenant; shown once to the operator, stored only as {@link #digest}. */
    public static String generate(String tenantId) {
        if (!StoreRules.validTenantId(tenantId)) {
            throw new IllegalArgumentException("invalid tenant id: " + tenantId);
        }
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return PREFIX + tenantId + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** The tenant a well-formed key claims, or null when the key is malformed (it is then invalid for sure). */
    public static String tenantOf(String key) {
        if (key == null || !key.startsWith(PREFIX)) {
            return null;
        }
        int dot = key.lastIndexOf('.');
        if (dot <= PREFIX.length()) {
            return null;
        }
        String tenant = key.substring(PREFIX.length(), dot);
        return StoreRules.validTenantId(tenant) && validSecret(key, dot + 1) ? tenant : null;
    }

    /** {@code [A-Za-z0-9_-]{32}} from {@code from} to the end; no regex, it runs on every request. */
    private static boolean validSecret(String key, int from) {
        if (key.length() - from != SECRET_CHARS) {
            return false;
        }
        for (int i = from; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Lower-case hex SHA-256 of the whole key. */
    public static String digest(String key) {
        return DIGESTS.get().digest(key);
    }

    /**
     * The digests of the last keys seen by this thread, in a small direct-mapped table: a client sends the same
     * key on every request, and hashing it (SHA-256, hex) was a measurable share of a proxied request's CPU.
     * The table holds raw keys only as long as the request headers they came from would be reachable anyway
     * for a busy key, and at most {@link #SLOTS} per thread. Keys are compared in constant time so that a
     * cache hit does not reveal through its timing how much of a guessed key matched a cached one.
     */
    private static final class DigestCache {
        private static final int SLOTS = 64; // a power of two

        private final MessageDigest sha = newDigest();
        private final String[] keys = new String[SLOTS];
        private final String[] digests = new String[SLOTS];

        String digest(String key) {
            int slot = key.hashCode() & (SLOTS - 1);
            String cached = keys[slot];
            if (cached != null && constantTimeEquals(cached, key)) {
                return digests[slot];
            }
            sha.reset();
            String digest = HexFormat.of().formatHex(sha.digest(key.getBytes(StandardCharsets.UTF_8)));
            keys[slot] = key;
            digests[slot] = digest;
            return digest;
        }

        /** Lengths are not secret (every key has the same shape); the characters are compared without an early exit. */
        private static boolean constantTimeEquals(String a, String b) {
            if (a.length() != b.length()) {
                return false;
            }
            int diff = 0;
            for (int i = 0; i < a.length(); i++) {
                diff |= a.charAt(i) ^ b.charAt(i);
            }
            return diff == 0;
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
