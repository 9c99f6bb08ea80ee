package io.quotagate.gateway.admin;

import io.quotagate.gateway.config.GatewayConfig;
import java.time.Instant;
import java.util.Objects;

/** The config in force ({@code GET /v1/config}): the config itself, which carries its source and content hash. */
public record ConfigInfo(GatewayConfig config, Instant loadedAt) {

    public ConfigInfo {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(loadedAt, "loadedAt");
    }
}
