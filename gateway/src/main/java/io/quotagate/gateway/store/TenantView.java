package io.quotagate.gateway.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A tenant as the admin API shows it. */
public record TenantView(String id, String name, Status status, Instant createdAt, Map<String, GroupView> groups) {

    public TenantView {
        groups = Map.copyOf(groups);
    }

    public enum Status { ACTIVE, SUSPENDED }

    /** One activated group of the tenant; {@code lots} includes expired and empty lots, ordered by use. */
    public record GroupView(BillingMode mode, List<Lot> lots, List<QpsPurchase> qpsPurchases, TemplateQuota templates) {
        public GroupView {
            lots = List.copyOf(lots);
            qpsPurchases = List.copyOf(qpsPurchases);
        }
    }
}
