package io.quotagate.gateway.store;

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
 * {@code lua/admit.lua} and {@code lua/settle.lua}, with the same names (docs/rules.md maps them): checks that only
 * read, then every write at once. Not thread-safe: the store calls it under its lock.
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
        AdmitResult recorded = recordedDecision(c, now);
        if (recorded != null) {
            return recorded;
        }
        MemoryTenant tenant = validKey(c);
        if (tenant == null) {
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

    /** Rule 10: a repeated admit returns its recorded decision; a cancelled id never charges. */
    private AdmitResult recordedDecision(AdmitCommand c, Instant now) {
        MemoryRequests.Request prior = requests.get(c.tenantId(), c.requestId(), now);
        if (prior == null) {
            return null;
        }
        return prior.live() ? prior.result : denied(Reason.CANCELLED, BillingMode.COUNT, 0, -1);
    }

    /** The tenant whose active key this is; unknown tenants and unknown or revoked keys look the same. */
    private MemoryTenant validKey(AdmitCommand c) {
        MemoryTenant tenant = StoreRules.wellFormed(c) ? tenants.get(c.tenantId()) : null;
        return tenant != null && tenant.keyIdByDigest.containsKey(c.keyDigest()) ? tenant : null;
    }

    /** Every rule that can deny, in the order of the script: permanent reasons before the transient QPS one. */
    private Denied check(AdmitCommand c, MemoryGroup group, Instant now, long nowMicros) {
        int limit = qpsLimitInForce(c, group, now);
        if (group.mode == BillingMode.QPS && c.qpsLimited() && limit <= 0) {
            return denied(Reason.QPS_NOT_PURCHASED, group.mode, 0, -1);
        }
        long calls = group.mode == BillingMode.COUNT ? group.usableCalls(now) : -1;
        if (group.mode == BillingMode.COUNT && c.cost() > 0 && calls < c.cost()) {
            return new Denied(Reason.CALLS_EXHAUSTED, group.mode, limit, 0, 0, Math.max(calls, 0));
        }
        if (!templateSlotFree(c, group)) {
            return new Denied(Reason.TEMPLATE_QUOTA_EXHAUSTED, group.mode, limit, 0, 0, calls);
        }
        if (c.qpsLimited() && group.windowCount(limit, nowMicros) >= limit) {
            return new Denied(Reason.QPS_EXCEEDED, group.mode, limit, 0, windowRetryMillis(group, limit, nowMicros), calls);
        }
        return null;
    }

    private Admitted apply(AdmitCommand c, MemoryTenant tenant, MemoryGroup group, Instant now, long nowMicros, long day) {
        int limit = qpsLimitInForce(c, group, now);
        long calls = group.mode == BillingMode.COUNT ? group.usableCalls(now) : -1;
        List<MemoryRequests.Taken> taken = group.mode == BillingMode.COUNT && c.cost() > 0
                ? takeCalls(group, c.cost(), now) : List.of();
        long charged = 0;
        long chargedFree = 0;
        for (MemoryRequests.Taken t : taken) {
            charged += t.n();
            chargedFree += t.free() ? t.n() : 0;
        }
        calls -= charged;
        if (c.templates() == TemplateUse.CREATE) {
            group.templatesUsed++;
        }
        long remaining = 0;
        long reset = 0;
        if (c.qpsLimited()) {
            int count = group.windowCount(limit, nowMicros);
            long oldest = count > 0 ? group.windowEntry(count - 1) : nowMicros;
            group.push(nowMicros, limit);
            remaining = limit - count - 1;
            reset = ceilMillis(oldest + WINDOW_MICROS - nowMicros);
        }
        Admitted result = new Admitted(group.mode, limit, remaining, reset, calls, (int) charged, chargedFree);
        if (charged > 0 || c.templates() != TemplateUse.NONE) {
            // Nothing taken, nothing to undo: uncharged admits keep no record (as on Redis).
            requests.put(c, day, taken, result, now);
        }
        tenant.count(c.group(), day, "admitted", 1);
        tenant.count(c.group(), day, "charged", charged);
        tenant.count(c.group(), day, "charged_free", chargedFree);
        return result;
    }

    /**
     * Rule 2: takes {@code cost} calls from the free lot first, then from paid lots by expiry, then grant time;
     * never from an expired lot. The caller checked that the usable calls cover the cost.
     */
    private static List<MemoryRequests.Taken> takeCalls(MemoryGroup group, long cost, Instant now) {
        List<MemoryRequests.Taken> taken = new ArrayList<>(1);
        long need = cost;
        for (MemoryGroup.MemoryLot lot : group.usableLots(now)) {
            long take = Math.min(lot.remaining, need);
            lot.remaining -= take;
            need -= take;
            taken.add(new MemoryRequests.Taken(lot.id, take, lot.source == Lot.Source.FREE));
            if (need == 0) {
                break;
            }
        }
        return taken;
    }

    /** Rule 7: a template create needs a free slot. */
    private static boolean templateSlotFree(AdmitCommand c, MemoryGroup group) {
        return c.templates() != TemplateUse.CREATE || group.templatesUsed < group.templateQuota;
    }

    /** Rule 6: the wait until the limit-th newest admission leaves the window. */
    private static long windowRetryMillis(MemoryGroup group, int limit, long nowMicros) {
        long retry = limit > 0 ? ceilMillis(group.windowEntry(limit - 1) + WINDOW_MICROS - nowMicros) : 1000;
        return Math.max(retry, 1);
    }

    int records() {
        return requests.size();
    }

    /** Rules 7 and 9: settles or cancels; returns what happened, for tests and logs. */
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
                back += refundLot(group, t, now);
            }
            tenant.count(r.group, r.day, "refunded", back);
        }
        boolean releaseCreate = r.templates == TemplateUse.CREATE && (cancel || !upstream2xx);
        boolean deleted = !cancel && r.templates == TemplateUse.DELETE && upstream2xx;
        if ((releaseCreate || deleted) && group.templatesUsed > 0) {
            group.templatesUsed--;
        }
        if (cancel) {
            requests.cancelled(r, now);
        } else {
            r.state = "settled";
        }
        return r.state;
    }

    /** The request ended with nothing to settle; see {@link QuotaStore#forget}. */
    void forget(String tenantId, String requestId) {
        requests.forget(tenantId, requestId);
    }

    /** Rule 9: gives calls back to the lot they came from, unless it expired meanwhile (then they are void). */
    private static long refundLot(MemoryGroup group, MemoryRequests.Taken t, Instant now) {
        MemoryGroup.MemoryLot lot = group.lot(t.lotId());
        if (lot == null || !now.isBefore(lot.expiresAt)) {
            return 0;
        }
        lot.remaining += t.n();
        return t.n();
    }

    /** Rule 5 (QPS mode: active purchases, capped) or rule 4 (count mode's limit); 0 for unlimited routes. */
    private static int qpsLimitInForce(AdmitCommand c, MemoryGroup group, Instant now) {
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
