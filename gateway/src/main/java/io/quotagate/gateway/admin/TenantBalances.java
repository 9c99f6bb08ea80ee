package io.quotagate.gateway.admin;

import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.config.GroupConfig;
import io.quotagate.gateway.config.GroupOverride;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.Lot;
import io.quotagate.gateway.store.QpsPurchase;
import io.quotagate.gateway.store.TenantView;
import java.time.Instant;

/** What a tenant has in one group right now, as {@code tenant show} reports it (rules 3–5). */
public final class TenantBalances {

    private TenantBalances() {
    }

    /** Calls usable now: the remaining calls of unexpired lots. */
    public static long callsRemaining(TenantView.GroupView group, Instant now) {
        return group.lots().stream().filter(lot -> lot.usableAt(now)).mapToLong(Lot::remaining).sum();
    }

    /**
     * The QPS limit in force now: in count mode the group's {@code count_mode_qps} (tenant override applied); in QPS
     * mode the sum of purchases active now, capped at {@code max_qps}. 0 for a group no longer configured.
     */
    public static long qpsLimit(GatewayConfig config, String tenantId, String groupName, TenantView.GroupView group,
                                Instant now) {
        GroupConfig groupConfig = config.groups().get(groupName);
        if (groupConfig == null) {
            return 0;
        }
        GroupOverride override = config.override(tenantId, groupName);
        if (group.mode() == BillingMode.COUNT) {
            return override.countModeQps(groupConfig);
        }
        long active = group.qpsPurchases().stream().filter(p -> p.activeAt(now)).mapToLong(QpsPurchase::qps).sum();
        return Math.min(active, override.maxQps(groupConfig));
    }
}
