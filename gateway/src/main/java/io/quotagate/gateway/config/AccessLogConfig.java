package io.quotagate.gateway.config;

/**
 * The access log: one JSON line per request, written by a thread of its own from a bounded queue.
 *
 * @param file  where lines go; empty for standard output
 * @param queue lines waiting to be written; past it, lines are dropped and counted, never waited for
 */
public record AccessLogConfig(boolean enabled, String file, int queue) {

    public static final int DEFAULT_QUEUE = 16_384;

    /** No {@code access_log} section: no access log. */
    public static final AccessLogConfig OFF = new AccessLogConfig(false, "", DEFAULT_QUEUE);
}
