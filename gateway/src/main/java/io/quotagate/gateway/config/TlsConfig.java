package io.quotagate.gateway.config;

import java.nio.file.Path;

/** PEM certificate chain and private key for the public listener. */
public record TlsConfig(Path cert, Path key) {
}
