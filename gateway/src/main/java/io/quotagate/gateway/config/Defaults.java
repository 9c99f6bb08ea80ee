package io.quotagate.gateway.config;

/**
 * Plan defaults that apply to every group.
 *
 * @param freeCalls        calls in the free lot every tenant gets once per group
 * @param freeTemplates    template slots every tenant gets once per group
 * @param freePackValidity how long the free lot lasts
 * @param packValidity     how long a paid lot lasts after it was granted
 * @param refundOn         upstream statuses that refund the charge
 */
public record Defaults(int freeCalls, int freeTemplates, Span freePackValidity, Span packValidity, RefundPolicy refundOn) {
}
