package io.quotagate.gateway.admin;

import io.quotagate.gateway.metrics.GatewayMetrics;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * Who may call the admin API: first the {@link AdminThrottle} (an address in its cool-down is refused with
 * {@code 429 throttled} and {@code Retry-After}, its token unread), then the {@link AdminAuth} token check
 * ({@code 401 unauthorized}, counted against the address). Counts both refusals in
 * {@code quotagate_admin_refused_total{reason}}.
 */
final class AdminGuard {

    private final AdminAuth auth;
    private final AdminThrottle throttle;
    private final GatewayMetrics metrics;

    AdminGuard(AdminAuth auth, AdminThrottle throttle, GatewayMetrics metrics) {
        this.auth = auth;
        this.throttle = throttle;
        this.metrics = metrics;
    }

    /** Empty when the call may go on; otherwise the answer that refuses it. */
    Optional<AdminResponse> refusal(InetAddress client, String authorization) {
        Optional<Duration> wait = throttle.refusedFor(client);
        if (wait.isPresent()) {
            metrics.adminRefused("throttled");
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            return Optional.of(AdminResponse.error(429, "throttled", "too many wrong or missing admin tokens from this "
                    + "address: refused for " + seconds + " s more").withHeader("Retry-After", Long.toString(seconds)));
        }
        Optional<String> refused = auth.refusal(authorization);
        if (refused.isEmpty()) {
            return Optional.empty();
        }
        throttle.failed(client);
        metrics.adminRefused("unauthorized");
        return Optional.of(AdminResponse.error(401, "unauthorized", refused.get())
                .withHeader("WWW-Authenticate", "Bearer realm=\"quotagate-admin\""));
    }
}
