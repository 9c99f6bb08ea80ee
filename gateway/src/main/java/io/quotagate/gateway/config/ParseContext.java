package io.quotagate.gateway.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * What every node of one parse shares.
 *
 * @param source  the file name errors carry
 * @param env     variables for {@code ${VAR}} substitution
 * @param baseDir relative file paths (TLS certificate and key) are resolved against this
 */
record ParseContext(String source, Map<String, String> env, Path baseDir) {
}
