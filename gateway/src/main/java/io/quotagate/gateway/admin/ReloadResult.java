package io.quotagate.gateway.admin;

import java.util.Objects;

/** The outcome of a config reload: applied (possibly with no change), or refused with the validator's message. */
public sealed interface ReloadResult {

    /**
     * The file was valid and is in force now.
     *
     * @param changed false when the file's content hash equals the one already in force (nothing was swapped)
     */
    record Applied(ConfigInfo current, boolean changed) implements ReloadResult {
        public Applied {
            Objects.requireNonNull(current, "current");
        }
    }

    /**
     * The file was invalid or unreadable; the config in force is unchanged.
     *
     * @param message names file, line and key path, e.g. {@code quotagate.yaml:12: groups.portrait.max_qps: -1 (expected: > 0)}
     */
    record Failed(String message) implements ReloadResult {
        public Failed {
            Objects.requireNonNull(message, "message");
        }
    }
}
