package io.quotagate.gateway.quota;

import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.config.GroupConfig;
import io.quotagate.gateway.config.GroupOverride;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.Lot;
import io.quotagate.gateway.store.QpsPurchase;
import io.quotagate.gateway.store.TemplateQuota;
import io.quotagate.gateway.store.TenantView;
import java.time.Instant;

/**
 * What a tenant has in one group at one instant, as the quota endpoint reports it (rules 2–5).
 *
 * @param activated      false for a group configured after the tenant was created: its first call activates it
 *                       (rule 1), and the figures are what that activation grants
 * @param callsRemaining calls of lots usable now
 * @param nextExpiry     the earliest expiry among usable lots, or null when none is usable
 * @param expiringCalls  calls of the usable lots that expire at {@code nextExpiry}
 * @param qpsLimit       the QPS limit in force now
 * @param qpsLimitUntil  when that limit changes by itself (a purchase ends or starts), or null for never
 */
record GroupQuota(String group, BillingMode mode, boolean activated, long callsRemaining, Instant nextExpiry,
                  long expiringCalls, long qpsLimit, Instant qpsLimitUntil, TemplateQuota templates) {

    static GroupQuota of(GatewayConfig config, String tenantId, GroupConfig group, TenantView.GroupView view,
                         Instant now) {
        GroupOverride override = config.override(tenantId, group.name());
        if (view == null) {
            long free = config.defaults().freeCalls();
            return new GroupQuota(group.name(), BillingMode.COUNT, false, free, null, 0,
                    override.countModeQps(group), null, new TemplateQuota(config.defaults().freeTemplates(), 0));
        }
        long remaining = 0;
        Instant next = null;
        long expiring = 0;
        for (Lot lot : view.lots()) {
            if (!lot.usableAt(now)) {
                continue;
            }
            remaining += lot.remaining();
            int order = next == null ? -1 : lot.expiresAt().compareTo(next);
            if (order < 0) {
                next = lot.expiresAt();
                expiring = lot.remaining();
            } else if (order == 0) {
                expiring += lot.remaining();
            }
        }
        if (view.mode() == BillingMode.COUNT) {
            return new GroupQuota(group.name(), view.mode(), true, remaining, next, expiring,
                    override.countModeQps(group), null, view.templates());
        }
        long active = 0;
        Instant until = null;
        for (QpsPurchase p : view.qpsPurchases()) {
            if (p.activeAt(now)) {
                active += p.qps();
                until = earliest(until, p.endsAt());
            } else if (now.isBefore(p.startsAt())) {
                until = earliest(until, p.startsAt());
            }
        }
        return new GroupQuota(group.name(), view.mode(), true, remaining, next, expiring,
                Math.min(active, override.maxQps(group)), until, view.templates());
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }
}
