package io.quotagate.gateway.reload;

import io.quotagate.gateway.config.ConfigException;
import io.quotagate.gateway.config.GatewayConfig;
import java.util.List;
import java.util.Objects;

/**
 * What one {@link ConfigReloader#reload} did, as a value (STYLE rule 5): the admin reload call turns it
 * into its answer, the watcher and the SIGHUP handler only log it. An invalid file is an expected
 * outcome here, not an exception.
 */
public sealed interface ReloadResult {

    /** The hash of the config in force after this reload (the previous one when it failed). */
    String hashInForce();

    /**
     * A new config is in force.
     *
     * @param previousHash    content hash of the config it replaced
     * @param config          the config now in force
     * @param restartRequired settings that changed in the file but keep their old value until a restart,
     *                        e.g. {@code server.port: 8080 -> 8081}; empty when everything applied
     */
    record Applied(String previousHash, GatewayConfig config, List<String> restartRequired) implements ReloadResult {
        public Applied {
            Objects.requireNonNull(previousHash, "previousHash");
            Objects.requireNonNull(config, "config");
            restartRequired = List.copyOf(restartRequired);
        }

        @Override
        public String hashInForce() {
            return config.contentHash();
        }
    }

    /** The file has the bytes of the config in force; nothing was swapped. */
    record Unchanged(String hashInForce) implements ReloadResult {
        public Unchanged {
            Objects.requireNonNull(hashInForce, "hashInForce");
        }
    }

    /**
     * The file could not be read or is invalid; the config in force did not change.
     *
     * @param error its message is {@code FILE:LINE: key.path: detail}
     */
    record Failed(ConfigException error, String hashInForce) implements ReloadResult {
        public Failed {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(hashInForce, "hashInForce");
        }
    }
}
