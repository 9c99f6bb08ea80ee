package io.quotagate.gateway.config;

/**
 * The admin listener (API, metrics, health).
 *
 * @param token bearer token every admin call must present; empty (never null) when not configured, and
 *              then the listener refuses to start
 */
public record AdminConfig(String bind, int port, String token) {

    public boolean hasToken() {
        return token != null && !token.isEmpty();
    }

    @Override
    public String toString() {
        return "AdminConfig[bind=" + bind + ", port=" + port + ", token=" + (token == null || token.isEmpty() ? "<none>" : "<redacted>") + "]";
    }
}
