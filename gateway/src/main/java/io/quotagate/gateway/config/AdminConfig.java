package io.quotagate.gateway.config;

import java.time.Duration;

/**
 * The admin listener (API, metrics, health).
 *
 * @param token    bearer token every admin call must present; empty (never null) when not configured, and
 *                 then the listener refuses to start
 * @param throttle how many wrong or missing tokens one client address may send before it is refused for a while
 */
public record AdminConfig(String bind, int port, String token, Throttle throttle) {

    /** An admin listener with the default throttle. */
    public AdminConfig(String bind, int port, String token) {
        this(bind, port, token, Throttle.DEFAULT);
    }

    public boolean hasToken() {
        return token != null && !token.isEmpty();
    }

    /**
     * {@code admin.throttle}: after {@code failures} wrong or missing tokens from one address within {@code window}
     * (counted from the first of them), that address is answered 429 for {@code cooldown}, token unchecked.
     */
    public record Throttle(int failures, Duration window, Duration cooldown) {

        public static final Throttle DEFAULT = new Throttle(10, Duration.ofMinutes(1), Duration.ofMinutes(1));
    }

    @Override
    public String toString() {
        return "AdminConfig[bind=" + bind + ", port=" + port + ", token="
                + (token == null || token.isEmpty() ? "<none>" : "<redacted>") + ", throttle=" + throttle + "]";
    }
}
