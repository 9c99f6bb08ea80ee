package io.quotagate.gateway.e2e;

import io.quotagate.gateway.config.RedisConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The YAML file an end-to-end replica starts from: the SPEC §4 {@code portrait} group on a real Redis and a real
 * upstream, with the few knobs the e2e tests turn. Written to disk because {@code Replica.start} watches its file
 * for reloads. Mutable builder; {@link #yaml()} renders the current values.
 */
final class E2eConfig {

    private String upstream;
    /** The {@code store.redis} location: {@code address: …}, {@code cluster: […]} or {@code sentinel: {…}}. */
    private final String redisLocation;
    private String redisTimeout = "200ms";
    private int retryAttempts = 2;
    private String responseTimeout = "5s";
    private String upstreamIdleTimeout = "60s";
    private String writeIdle = "60s";
    private int freeCalls = 200;
    private int freeTemplates = 20;
    private int countModeQps = 10;
    private final Map<String, Integer> countModeQpsOverrides = new LinkedHashMap<>();
    private String events = "";
    private String onError = "reject";
    private String admin = "";
    private String accessLog = "";

    private E2eConfig(String upstream, String redisLocation) {
        this.upstream = upstream;
        this.redisLocation = redisLocation;
    }

    static E2eConfig of(String upstreamUrl, String redisUri) {
        return new E2eConfig(upstreamUrl, "address: \"" + redisUri + "\"");
    }

    /** A replica on a Redis topology: the location (address, cluster or sentinel) of {@code redis}, not its timeouts. */
    static E2eConfig of(String upstreamUrl, RedisConfig redis) {
        String location;
        if (!redis.cluster().isEmpty()) {
            location = "cluster: " + quoted(redis.cluster());
        } else if (redis.sentinel() != null) {
            location = "sentinel: { master: " + redis.sentinel().master() + ", addresses: "
                    + quoted(redis.sentinel().addresses()) + " }";
        } else {
            location = "address: \"" + redis.address() + "\"";
        }
        return new E2eConfig(upstreamUrl, location);
    }

    private static String quoted(List<String> uris) {
        return uris.stream().map(u -> "\"" + u + "\"").collect(Collectors.joining(", ", "[", "]"));
    }

    E2eConfig upstream(String url) {
        this.upstream = url;
        return this;
    }

    /** {@code store.redis.timeout} and {@code retry_attempts}. */
    E2eConfig redisTimeout(Duration timeout, int retryAttempts) {
        this.redisTimeout = timeout.toMillis() + "ms";
        this.retryAttempts = retryAttempts;
        return this;
    }

    E2eConfig responseTimeout(Duration timeout) {
        this.responseTimeout = timeout.toMillis() + "ms";
        return this;
    }

    /** {@code upstream.idle_timeout}. */
    E2eConfig upstreamIdleTimeout(Duration timeout) {
        this.upstreamIdleTimeout = timeout.toMillis() + "ms";
        return this;
    }

    /** {@code server.write_idle}. */
    E2eConfig writeIdle(Duration timeout) {
        this.writeIdle = timeout.toMillis() + "ms";
        return this;
    }

    E2eConfig freeCalls(int calls) {
        this.freeCalls = calls;
        return this;
    }

    E2eConfig freeTemplates(int slots) {
        this.freeTemplates = slots;
        return this;
    }

    /** The group's {@code count_mode_qps}. */
    E2eConfig countModeQps(int qps) {
        this.countModeQps = qps;
        return this;
    }

    /** {@code overrides: { tenant: { portrait: { count_mode_qps: qps } } }}. */
    E2eConfig countModeQps(String tenant, int qps) {
        countModeQpsOverrides.put(tenant, qps);
        return this;
    }

    /** {@code store.on_error}: {@code reject} (the default here) or {@code allow}. */
    E2eConfig onError(String value) {
        this.onError = value;
        return this;
    }

    /** An {@code events} section: webhook, secret and {@code low_calls} (a count or a share like {@code 10%}). */
    E2eConfig events(String webhookUrl, String secret, String lowCalls) {
        this.events = "events: { webhook_url: \"%s\", secret: \"%s\", low_calls: \"%s\", retry_initial: 200ms }\n"
                .formatted(webhookUrl, secret, lowCalls);
        return this;
    }

    /** An admin listener on an ephemeral loopback port with this token (none without: the admin API is off). */
    E2eConfig adminToken(String token) {
        this.admin = "admin: { bind: 127.0.0.1, port: 0, token: \"%s\" }\n".formatted(token);
        return this;
    }

    /** The access log, written to {@code file}. */
    E2eConfig accessLog(Path file) {
        this.accessLog = "access_log: { file: \"%s\" }\n".formatted(file);
        return this;
    }

    String yaml() {
        StringBuilder overrides = new StringBuilder();
        countModeQpsOverrides.forEach((tenant, qps) ->
                overrides.append("  ").append(tenant).append(": { portrait: { count_mode_qps: ").append(qps).append(" } }\n"));
        return """
                server: { bind: 127.0.0.1, port: 0, shutdown_timeout: 1s, write_idle: %s }
                upstream: { url: "%s", connect_timeout: 1s, response_timeout: %s, idle_timeout: %s }
                store:
                  type: redis
                  redis: { %s, timeout: %s, retry_attempts: %d }
                  on_error: %s
                defaults:
                  free_calls: %d
                  free_templates: %d
                  refund_on: ["500-599", 429]
                groups:
                  portrait:
                    count_mode_qps: %d
                    max_qps: 300
                    routes:
                      - { match: "POST /v1/portrait/generate", cost: 1 }
                      - { match: "GET /v1/portrait/tasks/{id}", cost: 0, qps: false }
                      - { match: "POST /v1/templates", cost: 1, templates: create }
                      - { match: "DELETE /v1/templates/{id}", cost: 0, templates: delete }
                """.formatted(writeIdle, upstream, responseTimeout, upstreamIdleTimeout, redisLocation, redisTimeout, retryAttempts,
                onError, freeCalls, freeTemplates,
                countModeQps)
                + (overrides.isEmpty() ? "" : "overrides:\n" + overrides) + events + admin + accessLog;
    }

    /** Writes {@link #yaml()} to {@code file} (replacing it) and returns the file. */
    Path writeTo(Path file) {
        try {
            Files.writeString(file, yaml());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
