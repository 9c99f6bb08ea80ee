package io.quotagate.gateway.store;

/**
 * The store's decision on one request, with what the rate-limit headers need.
 * {@code limit} is the QPS limit in force (0 when none applies), {@code windowRemaining} the admissions
 * left in the current 1000 ms window after this one, {@code callsRemaining} the usable calls left in
 * count mode (-1 in QPS mode or when not applicable).
 */
public sealed interface AdmitResult {

    BillingMode mode();

    long limit();

    long windowRemaining();

    long callsRemaining();

    /**
     * Admitted; {@code charged} calls were taken (0 in QPS mode or for free routes), {@code chargedFree} of them from
     * the free lot. {@code receipt} is what the store needs besides the request id to find this admission again
     * ({@link SettleCommand#receipt()}, {@link QuotaStore#cancel(String, String, String, String)}); null when the
     * request id is enough.
     */
    record Admitted(BillingMode mode, long limit, long windowRemaining, long resetMillis, long callsRemaining, int charged,
                    long chargedFree, String receipt) implements AdmitResult {

        /** Found by its request id alone. */
        public Admitted(BillingMode mode, long limit, long windowRemaining, long resetMillis, long callsRemaining, int charged,
                        long chargedFree) {
            this(mode, limit, windowRemaining, resetMillis, callsRemaining, charged, chargedFree, null);
        }

        /** Nothing taken from the free lot. */
        public Admitted(BillingMode mode, long limit, long windowRemaining, long resetMillis, long callsRemaining, int charged) {
            this(mode, limit, windowRemaining, resetMillis, callsRemaining, charged, 0);
        }
    }

    /**
     * Denied; nothing changed. {@code retryAfterMillis} is when a retry can succeed (for {@code QPS_EXCEEDED}),
     * or 0 when waiting will not help.
     */
    record Denied(Reason reason, BillingMode mode, long limit, long windowRemaining, long retryAfterMillis, long callsRemaining)
            implements AdmitResult {
    }

    /** Why the store denied a request. */
    enum Reason {
        INVALID_API_KEY,
        TENANT_SUSPENDED,
        QPS_EXCEEDED,
        QPS_NOT_PURCHASED,
        CALLS_EXHAUSTED,
        TEMPLATE_QUOTA_EXHAUSTED,
        /**
         * The request id was cancelled ({@link QuotaStore#cancel}) before or after this admit arrived: nothing is
         * charged. Only a late resend of an admit whose caller already answered the client can see this.
         */
        CANCELLED
    }
}
