package io.quotagate.gateway.store;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/** Commands of the tenant operations, each idempotent by its order id where it credits anything. */
public final class TenantOps {

    private TenantOps() {
    }

    /**
     * @param groups group name → what it activates (rule 1)
     * @param firstKey the tenant's first key (its digest; the plain key is shown once by the caller)
     */
    public record CreateTenant(String tenantId, String name, Map<String, Activation> groups, KeyInfo firstKey, Instant now) {
        public CreateTenant {
            groups = Map.copyOf(groups);
        }
    }

    /**
     * @param grantedAt usually now; may be set for tests and migrations
     * @param expiresAt when the lot's remaining calls become void ({@code grantedAt} + {@code pack_validity} usually)
     * @param price     catalog price in force, recorded in the ledger (null when the catalog has none)
     */
    public record GrantPack(String tenantId, String group, long calls, String orderId, Instant grantedAt, Instant expiresAt,
                            BigDecimal price, String currency) {
    }

    /**
     * A QPS purchase active from {@code startsAt} (inclusive) to {@code endsAt} (exclusive); refused when the active
     * sum of the group would exceed {@code maxQps} at any instant.
     */
    public record BuyQps(String tenantId, String group, int qps, Instant startsAt, Instant endsAt, int maxQps,
                         String orderId, BigDecimal price, String currency, Instant now) {
    }

    public record GrantTemplates(String tenantId, String group, long slots, String orderId, BigDecimal price,
                                 String currency, Instant now) {
    }
}
