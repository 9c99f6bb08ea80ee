package io.quotagate.gateway.store;

/**
 * What happened upstream to an admitted request.
 *
 * @param refund       the upstream attempt failed (transport error, timeout, a {@code refund_on} status):
 *                     return the charge to the lots it came from (dropped for lots expired meanwhile)
 * @param upstream2xx  the upstream answered 2xx: a reserved template slot is kept, a template delete frees one;
 *                     otherwise a reserved slot is released
 */
public record SettleCommand(String requestId, String tenantId, String group, boolean refund, boolean upstream2xx) {
}
