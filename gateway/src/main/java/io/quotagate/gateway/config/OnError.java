package io.quotagate.gateway.config;

/** What to do with a request when the quota store cannot be reached. */
public enum OnError {
    /** Answer 503 {@code quota_store_unavailable} with Retry-After. */
    REJECT,
    /** Forward the request uncharged and unlimited (fail open). */
    ALLOW
}
