package io.quotagate.gateway.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The admin token check: {@code Authorization: Bearer <admin token>}. Compares SHA-256 digests with
 * {@link MessageDigest#isEqual}, so neither the content nor the length of the token leaks through timing. A tenant
 * API key never works here, even if someone set the admin token to look like one.
 */
final class AdminAuth {

    private static final String BEARER = "bearer ";

    private final byte[] tokenDigest;

    /** @throws IllegalArgumentException when the token is null or empty: the admin listener never runs open */
    AdminAuth(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("admin.token is empty: the admin listener does not start without a "
                    + "token (set admin.token, e.g. to \"${QUOTAGATE_ADMIN_TOKEN}\")");
        }
        this.tokenDigest = sha256(token);
    }

    /** Empty when the header carries the admin token; otherwise why the call is refused. */
    Optional<String> refusal(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.of("the admin token is required: send Authorization: Bearer <admin token>");
        }
        String presented = authorization.substring(BEARER.length()).trim();
        if (presented.startsWith(io.quotagate.gateway.admission.ApiKeys.PREFIX)) {
            return Optional.of("tenant API keys are not accepted on the admin port: use the admin token");
        }
        return MessageDigest.isEqual(sha256(presented), tokenDigest)
                ? Optional.empty() : Optional.of("the admin token is not valid");
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
