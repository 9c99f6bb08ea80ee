package io.quotagate.gateway.store;

import java.util.Objects;

/**
 * One request to admit, with everything config says about it.
 *
 * @param requestId       unique per request across all replicas; a repeated admit with the same id
 *                        returns the first result and changes nothing
 * @param keyDigest       SHA-256 of the presented API key, lower-case hex
 * @param cost            calls charged in count mode (0: nothing charged, and never {@code calls_exhausted})
 * @param qpsLimited      whether the request counts against the QPS window
 * @param countModeQps    the limit in count mode (tenant override applied)
 * @param maxQps          cap on the QPS-mode limit (tenant override applied)
 * @param activation      what the tenant gets if this group was never activated for it (a group added later)
 * @param retentionMillis how long the store must remember this request for {@link QuotaStore#settle}
 */
public record AdmitCommand(
        String requestId,
        String tenantId,
        String keyDigest,
        String group,
        int cost,
        boolean qpsLimited,
        TemplateUse templates,
        int countModeQps,
        int maxQps,
        Activation activation,
        long retentionMillis) {

    public AdmitCommand {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(keyDigest, "keyDigest");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(templates, "templates");
        Objects.requireNonNull(activation, "activation");
    }
}
