package io.quotagate.gateway.config;

/**
 * The admin listener (API, metrics, health).
 *
 * @param token bearer token every admin call must present; the listener refuses to start without one
 */
public record AdminConfig(String bind, int port, String token) {

    @Override
    public String toString() {
        return "AdminConfig[bind=" + bind + ", port=" + port + ", token=" + (token == null || token.isEmpty() ? "<none>" : "<redacted>") + "]";
    }
}
