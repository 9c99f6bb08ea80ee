package io.quotagate.gateway.quota;

import io.quotagate.gateway.admission.Decision;

/** The answer to one quota read: the tenant's report, or a rejection in the shape of every other rejection. */
public sealed interface QuotaReply {

    /** 200: {@code json} is the whole body (docs/quota-api.md). */
    record Report(String tenantId, String json) implements QuotaReply {
    }

    /** An error response, written like any admission rejection. */
    record Refused(Decision.Rejected rejected) implements QuotaReply {
    }
}
