package io.quotagate.gateway.admin;

import java.util.List;

/**
 * The admin calls that change money, keys, tenants or the config in force: each is written to the audit log
 * ({@link AuditLog}) under its wire name, which follows the CLI's command ({@code pack grant} → {@code pack.grant}).
 * Reads are not operations. {@link #subject} says where the call names what it acts on; {@link #detailFields} are
 * the body fields worth keeping (amounts and dates, never a secret).
 */
enum AdminOperation {
    TENANT_CREATE("tenant.create", Subject.TENANT_IN_BODY),
    TENANT_SUSPEND("tenant.suspend", Subject.TENANT_IN_PATH),
    TENANT_RESUME("tenant.resume", Subject.TENANT_IN_PATH),
    KEY_CREATE("key.create", Subject.TENANT_IN_PATH),
    KEY_REVOKE("key.revoke", Subject.TENANT_IN_PATH),
    MODE_SET("mode.set", Subject.TENANT_IN_PATH, "mode"),
    PACK_GRANT("pack.grant", Subject.TENANT_IN_PATH, "calls", "granted_at", "expires_at"),
    QPS_BUY("qps.buy", Subject.TENANT_IN_PATH, "qps", "days", "months", "start"),
    TEMPLATE_GRANT("template.grant", Subject.TENANT_IN_PATH, "slots"),
    CONFIG_RELOAD("config.reload", Subject.NONE),
    EVENT_REPLAY("event.replay", Subject.EVENT_IN_PATH);

    /** Where the call names what it acts on. */
    enum Subject {
        /** {@code /v1/tenants/{id}/…} */
        TENANT_IN_PATH,
        /** {@code {"id":…}} of the body ({@code POST /v1/tenants}) */
        TENANT_IN_BODY,
        /** {@code /v1/events/{id}/…} */
        EVENT_IN_PATH,
        NONE
    }

    private final String wire;
    private final Subject subject;
    private final List<String> detailFields;

    AdminOperation(String wire, Subject subject, String... detailFields) {
        this.wire = wire;
        this.subject = subject;
        this.detailFields = List.of(detailFields);
    }

    String wire() {
        return wire;
    }

    Subject subject() {
        return subject;
    }

    List<String> detailFields() {
        return detailFields;
    }
}
