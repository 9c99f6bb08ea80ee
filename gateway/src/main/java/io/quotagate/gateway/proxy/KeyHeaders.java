package io.quotagate.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * Where a client's API key is read from (SPEC §3): {@code Authorization: Bearer <key>} first, else
 * {@code X-Api-Key: <key>}. Translating headers to a value is the proxy's job; judging the key is admission's.
 */
final class KeyHeaders {

    static final AsciiString X_API_KEY = AsciiString.cached("X-Api-Key");
    private static final String BEARER = "Bearer ";

    private KeyHeaders() {
    }

    /** The bearer token of the Authorization header, or null when there is none (or it is another scheme). */
    static String bearer(HttpHeaders headers) {
        String value = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (value == null || value.length() <= BEARER.length()
                || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = value.substring(BEARER.length()).trim();
        return token.isEmpty() ? null : token;
    }

    /** The value of X-Api-Key, or null when absent or blank. */
    static String header(HttpHeaders headers) {
        String value = headers.get(X_API_KEY);
        if (value == null) {
            return null;
        }
        value = value.trim();
        return value.isEmpty() ? null : value;
    }
}
