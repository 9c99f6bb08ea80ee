package io.quotagate.gateway.store;

import io.quotagate.gateway.config.RouteConfig.TemplateAction;
import io.quotagate.gateway.store.AdmitResult.Admitted;
import io.quotagate.gateway.store.AdmitResult.Denied;
import io.quotagate.gateway.store.AdmitResult.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The admission, settlement and cancellation rules of {@link MemoryQuotaStore}, step for step the same as
 * {@code lua/admit.lua} and {@code lua/settle.lua}: checks that only read, then every write at once.
 * Not thread-safe: the store calls it under its lock.
 */
final class MemoryAdmission {

    private static final long WINDOW_MICROS = 1_000_000L;

    private final Map<String, MemoryTenant> tenants;
    private final MemoryRequests requests;

    MemoryAdmission(Map<String, MemoryTenant> tenants, MemoryRequests requests) {
        this.tenants = tenants;
        this.requests = requests;
    }

    AdmitResult admit(AdmitCommand c, long nowMicros) {
        Instant now = Instant.ofEpochMilli(Math.floorDiv(nowMicros, 1000));
        MemoryRequests.Request prior = requests.get(c.tenantId(), c.requestId(), now);
        if (prior != null) {
            return prior.live() ? prior.result : denied(Reason.CANCELLED, BillingMode.COUNT, 0, -1);
        }
        MemoryTenant tenant = StoreRules.wellFormed(c) ? tenants.get(c.tenantId()) : null;
        if (tenant == null || !tenant.keyIdByDigest.containsKey(c.keyDigest())) {
            return denied(Reason.INVALID_API_KEY, BillingMode.COUNT, 0, -1);
        }
        long day = Math.floorDiv(now.toEpochMilli(), 86_400_000L);
        if (tenant.status == TenantView.Status.SUSPENDED) {
            MemoryGroup g = tenant.groups.get(c.group());
            return reject(tenant, c.group(), day, denied(Reason.TENANT_SUSPENDED, g == null ? BillingMode.COUNT : g.mode, 0, -1));
        }
        tenant.activate(c.group(), c.activation(), now);
        MemoryGroup group = tenant.group(c.group());
        Denied denial = check(c, group, now, nowMicros);
        if (denial != null) {
            return reject(tenant, c.group(), day, denial);
        }
        return apply(c, tenant, group, now, nowMicros, day);
    }

    /** Every rule that can deny, in the order of the script: permanent reasons before the transient QPS one. */
    private Denied check(AdmitCommand c, MemoryGroup group, Instant now, long nowMicros) {
        int limit = limit(c, group, now);
        if (group.mode == BillingMode.QPS && c.qpsLimited() && limit <= 0) {
            return denied(Reason.QPS_NOT_PURCHASED, group.mode, 0, -1);
        }
        long calls = group.mode == BillingMode.COUNT ? group.usableCalls(now) : -1;
        if (group.mode == BillingMode.COUNT && c.cost() > 0 && calls < c.cost()) {
            return new Denied(Reason.CALLS_EXHAUSTED, group.mode, limit, 0, 0, Math.max(calls, 0));
        }
        if (c.templates() == TemplateAction.CREATE && group.templatesUsed >= group.templateQuota) {
            return new Denied(Reason.TEMPLATE_QUOTA_EXHAUSTED, group.mode, limit, 0, 0, calls);
        }
        if (c.qpsLimited() && group.inWindow(limit, nowMicros) >= limit) {
            long retry = limit > 0 ? ceilMillis(group.windowEntry(limit - 1) + WINDOW_MICROS - nowMicros) : 1000;
            return new Denied(Reason.QPS_EXCEEDED, group.mode, limit, 0, Math.max(retry, 1), calls);
        }
        return null;
    }

    private Admitted apply(AdmitCommand c, MemoryTenant tenant, MemoryGroup group, Instant now, long nowMicros, long day) {
        int limit = limit(c, group, now);
        long calls = group.mode == BillingMode.COUNT ? group.usableCalls(now) : -1;
        List<MemoryRequests.Taken> taken = new ArrayList<>();
        long charged = 0;
        long chargedFree = 0;
        if (group.mode == BillingMode.COUNT) {
            for (MemoryGroup.MemoryLot lot : group.usableLots(now)) {
                long take = Math.min(lot.remaining, c.cost() - charged);
                if (take == 0) {
                    break;
                }
                lot.remaining -= take;
                charged += take;
                chargedFree += lot.source == Lot.Source.FREE ? take : 0;
                taken.add(new MemoryRequests.Taken(lot.id, take));
            }
            calls -= charged;
        }
        if (c.templates() == TemplateAction.CREATE) {
            group.templatesUsed++;
        }
        long remaining = 0;
        long reset = 0;
        if (c.qpsLimited()) {
            int count = group.inWindow(limit, nowMicros);
            long oldest = count > 0 ? group.windowEntry(count - 1) : nowMicros;
            group.push(nowMicros, limit);
            remaining = limit - count - 1;
            reset = ceilMillis(oldest + WINDOW_MICROS - nowMicros);
        }
        Admitted result = new Admitted(group.mode, limit, remaining, reset, calls, (int) charged);
        if (charged > 0 || c.templates() != TemplateAction.NONE) {
            // Nothing taken, nothing to undo: uncharged admits keep no record (as on Redis).
            requests.put(c, day, taken, result, now);
        }
        tenant.count(c.group(), day, "admitted", 1);
        tenant.count(c.group(), day, "charged", charged);
        tenant.count(c.group(), day, "charged_free", chargedFree);
        return result;
    }

    /** Settles or cancels; returns what happened, for tests and logs. */
    String finish(String tenantId, String requestId, boolean cancel, boolean refund, boolean upstream2xx, Instant now) {
        MemoryRequests.Request r = requests.get(tenantId, requestId, now);
        MemoryTenant tenant = tenants.get(tenantId);
        if (r == null) {
            if (cancel && tenant != null) {
                requests.tombstone(tenantId, requestId, now);
                return "tombstone";
            }
            return "noop";
        }
        if (!"applied".equals(r.state) || tenant == null) {
            return "noop";
        }
        MemoryGroup group = tenant.group(r.group);
        if (cancel || refund) {
            long back = 0;
            for (MemoryRequests.Taken t : r.taken) {
                MemoryGroup.MemoryLot lot = group.lot(t.lotId());
                if (lot != null && now.isBefore(lot.expiresAt)) {
                    lot.remaining += t.n();
                    back += t.n();
                }
            }
            tenant.count(r.group, r.day, "refunded", back);
        }
        boolean releaseCreate = r.templates == TemplateAction.CREATE && (cancel || !upstream2xx);
        boolean deleted = !cancel && r.templates == TemplateAction.DELETE && upstream2xx;
        if ((releaseCreate || deleted) && group.templatesUsed > 0) {
            group.templatesUsed--;
        }
        r.state = cancel ? "cancelled" : "settled";
        if (cancel) {
            requests.keepAtLeast(r, now.plus(StoreRules.TOMBSTONE_TTL));
        }
        return r.state;
    }

    private static int limit(AdmitCommand c, MemoryGroup group, Instant now) {
        if (!c.qpsLimited()) {
            return 0;
        }
        return group.mode == BillingMode.QPS ? Math.min(group.activeQps(now), c.maxQps()) : c.countModeQps();
    }

    private static Denied reject(MemoryTenant tenant, String group, long day, Denied denial) {
        tenant.count(group, day, "rej:" + denial.reason().name().toLowerCase(Locale.ROOT), 1);
        return denial;
    }

    private static Denied denied(Reason reason, BillingMode mode, long limit, long calls) {
        return new Denied(reason, mode, limit, 0, 0, calls);
    }

    private static long ceilMillis(long micros) {
        return Math.max(0, Math.floorDiv(micros + 999, 1000));
    }
}
