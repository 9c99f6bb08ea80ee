package io.quotagate.gateway.store.redis;

import io.quotagate.gateway.store.AdmitCommand;
import io.quotagate.gateway.store.AdmitResult;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.SettleCommand;
import io.quotagate.gateway.store.StoreRules;
import io.quotagate.gateway.store.StoreUnavailableException;
import io.quotagate.gateway.store.redis.RedisScripts.Script;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Admission, settlement and cancellation on Redis: each is exactly one script call ({@code admit.lua},
 * {@code settle.lua}), so one round trip, atomic on the server, and idempotent by request id.
 */
final class RedisAdmission {

    private final RedisScripts scripts;

    RedisAdmission(RedisScripts scripts) {
        this.scripts = scripts;
    }

    CompletionStage<AdmitResult> admit(AdmitCommand c) {
        if (!StoreRules.wellFormed(c)) {
            // A tenant id from a forged key must never reach a key name (it could break the hash tag).
            return CompletableFuture.completedFuture(
                    new AdmitResult.Denied(AdmitResult.Reason.INVALID_API_KEY, BillingMode.COUNT, 0, 0, 0, -1));
        }
        String t = c.tenantId();
        String g = RedisKeys.group(t, c.group());
        List<Object> keys = List.of(RedisKeys.tenant(t), RedisKeys.digests(t), g, g + ":l", g + ":i", g + ":qi", g + ":q",
                RedisKeys.window(t, c.group()), RedisKeys.request(t, c.requestId()));
        Object[] args = RedisScripts.args(RedisKeys.prefix(t), c.keyDigest(), c.group(), c.cost(), c.qpsLimited() ? 1 : 0,
                c.templates().name().toLowerCase(Locale.ROOT), c.countModeQps(), c.maxQps(),
                c.activation().freeCalls(), c.activation().freeValidityMillis(), c.activation().freeTemplates(),
                Math.max(1, c.retentionMillis()));
        return scripts.run(Script.ADMIT, keys, args).thenApply(RedisAdmission::parse);
    }

    CompletionStage<Void> settle(SettleCommand c) {
        return finish(c.tenantId(), c.requestId(), "settle", c.refund(), c.upstream2xx());
    }

    CompletionStage<Void> cancel(String tenantId, String requestId) {
        return finish(tenantId, requestId, "cancel", false, false);
    }

    private CompletionStage<Void> finish(String tenantId, String requestId, String op, boolean refund, boolean ok2xx) {
        if (!StoreRules.validTenantId(tenantId)) {
            return CompletableFuture.completedFuture(null);
        }
        List<Object> keys = List.of(RedisKeys.tenant(tenantId), RedisKeys.request(tenantId, requestId));
        return scripts.run(Script.SETTLE, keys, RedisScripts.args(RedisKeys.prefix(tenantId), op, refund ? 1 : 0, ok2xx ? 1 : 0,
                StoreRules.TOMBSTONE_TTL.toMillis())).thenApply(reply -> null);
    }

    static AdmitResult parse(List<Object> r) {
        if (r.size() != 7) {
            throw new StoreUnavailableException("unexpected admit reply " + r, null);
        }
        BillingMode mode = BillingMode.valueOf(str(r.get(r.get(0).equals("A") ? 1 : 2)).toUpperCase(Locale.ROOT));
        if ("A".equals(r.get(0))) {
            return new AdmitResult.Admitted(mode, num(r.get(2)), num(r.get(3)), num(r.get(4)), num(r.get(5)), (int) num(r.get(6)));
        }
        return new AdmitResult.Denied(AdmitResult.Reason.valueOf(str(r.get(1))), mode, num(r.get(3)), num(r.get(4)),
                num(r.get(5)), num(r.get(6)));
    }

    static long num(Object o) {
        return o instanceof Number n ? n.longValue() : Long.parseLong(str(o));
    }

    static String str(Object o) {
        return o == null ? "" : o.toString();
    }
}
