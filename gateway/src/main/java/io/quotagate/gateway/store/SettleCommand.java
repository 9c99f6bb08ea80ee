package io.quotagate.gateway.store;

/**
 * What happened upstream to an admitted request.
 *
 * @param refund       the upstream attempt failed (transport error, timeout, a {@code refund_on} status):
 *                     return the charge to the lots it came from (dropped for lots expired meanwhile)
 * @param upstream2xx  the upstream answered 2xx: a reserved template slot is kept, a template delete frees one;
 *                     otherwise a reserved slot is released
 * @param templates    what the request did to template slots, as admission knows it. The store's own record decides
 *                     what is undone; this only lets a store skip a settlement that cannot change anything
 *                     ({@link #changesNothing()}) without a round trip
 * @param receipt      the admission's {@link AdmitResult.Admitted#receipt()}, or null
 */
public record SettleCommand(String requestId, String tenantId, String group, boolean refund, boolean upstream2xx,
                            TemplateUse templates, String receipt) {

    /** An admission found by its request id alone. */
    public SettleCommand(String requestId, String tenantId, String group, boolean refund, boolean upstream2xx,
                         TemplateUse templates) {
        this(requestId, tenantId, group, refund, upstream2xx, templates, null);
    }

    /** No refund and no slot to release: the common end of a charged call (a 2xx on a count-mode route). */
    public boolean changesNothing() {
        return !refund && !(templates == TemplateUse.CREATE && !upstream2xx) && !(templates == TemplateUse.DELETE && upstream2xx);
    }
}
