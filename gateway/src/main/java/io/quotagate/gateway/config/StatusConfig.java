package io.quotagate.gateway.config;

/**
 * The status listener: {@code /metrics}, {@code /healthz} and {@code /readyz} without a token, for Prometheus and
 * orchestrator probes, on a port of its own so the admin API can stay on loopback. Off unless the YAML has a
 * {@code status} section.
 *
 * @param port 0 for an ephemeral port (tests)
 */
public record StatusConfig(boolean enabled, String bind, int port) {

    /** No {@code status} section: no status listener. */
    public static final StatusConfig OFF = new StatusConfig(false, "0.0.0.0", 9091);
}
