package io.quotagate.gateway.admission;

import io.quotagate.gateway.route.RouteMatch;

/** The outcome of admission for one request. */
public sealed interface Decision {

    /** Rate-limit state for the response headers, or null when the route is not metered. */
    RateLimitState rateLimit();

    /**
     * Forward the request.
     *
     * @param tenantId  the authenticated tenant (null only when no tenant applies)
     * @param requestId the id the store knows the request by, for settlement
     * @param needsSettlement whether {@link Admission#settle} has anything to do (a charge or a template slot)
     * @param charged  calls taken from the tenant's lots (0 in QPS mode, on free routes and when failing open)
     * @param receipt  what the store needs besides the request id to settle it ({@code AdmitResult.Admitted#receipt}),
     *                 or null
     */
    record Admitted(RouteMatch route, String tenantId, String requestId, RateLimitState rateLimit, boolean needsSettlement,
                    int charged, String receipt) implements Decision {

        /** Settled by its request id alone. */
        public Admitted(RouteMatch route, String tenantId, String requestId, RateLimitState rateLimit,
                        boolean needsSettlement, int charged) {
            this(route, tenantId, requestId, rateLimit, needsSettlement, charged, null);
        }
    }

    /**
     * Answer with an error.
     *
     * @param retryAfterSeconds value of Retry-After, or 0 for none
     */
    record Rejected(RejectionCode code, String message, RateLimitState rateLimit, long retryAfterSeconds, String group,
                    String tenantId) implements Decision {

        public static Rejected of(RejectionCode code) {
            return new Rejected(code, code.defaultMessage(), null, 0, null, null);
        }
    }
}
