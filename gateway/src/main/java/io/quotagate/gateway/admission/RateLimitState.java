package io.quotagate.gateway.admission;

/**
 * What the {@code RateLimit-Policy}, {@code RateLimit} and {@code X-Calls-Remaining} headers say.
 *
 * @param limit          QPS limit in force (quota per 1 s window)
 * @param remaining      admissions left in the current window
 * @param resetSeconds   seconds until the window frees a slot
 * @param callsRemaining calls left in count mode, or -1 (QPS mode: header omitted)
 */
public record RateLimitState(long limit, long remaining, long resetSeconds, long callsRemaining) {
}
