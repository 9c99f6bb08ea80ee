package io.quotagate.gateway.store.redis;

import io.quotagate.gateway.store.Activation;
import io.quotagate.gateway.store.AdmitCommand;
import io.quotagate.gateway.store.AdmitResult;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.SettleCommand;
import io.quotagate.gateway.store.StoreRules;
import io.quotagate.gateway.store.StoreUnavailableException;
import io.quotagate.gateway.store.redis.RedisScripts.Script;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Admission, settlement and cancellation on Redis: each is one script call ({@code admit.lua}, {@code settle.lua}),
 * so one round trip, atomic on the server, and idempotent by request id. An admit call carries every request of a
 * batch that shares a tenant and a group, so its reads and writes are paid once per call, not once per request;
 * that includes the record settlement needs, written once per call under the call's first request id. That id is
 * each admission's receipt ({@link AdmitResult.Admitted#receipt()}), and a failed call carries its requests'
 * receipts ({@link StoreUnavailableException#receiptOf}), so that a settle or a cancel finds the record.
 */
final class RedisAdmission {

    private final RedisScripts scripts;

    RedisAdmission(RedisScripts scripts) {
        this.scripts = scripts;
    }

    /** Requests one call may carry: the script's reply and its argument list stay small. */
    static final int MAX_BATCH = 128;

    CompletionStage<AdmitResult> admit(AdmitCommand c) {
        return admitAll(List.of(c)).thenApply(results -> results.get(0));
    }

    /**
     * Admits requests in list order: one script call for the requests that share a tenant, a group and the limits
     * config gives them (usually all of them), up to {@link #MAX_BATCH} per call. Each call is atomic and decides
     * its requests as if they came one after another at one instant; calls are sent without waiting for each other.
     */
    CompletionStage<List<AdmitResult>> admitAll(List<AdmitCommand> commands) {
        AdmitResult[] results = new AdmitResult[commands.size()];
        Map<String, List<Integer>> calls = new LinkedHashMap<>();
        for (int i = 0; i < commands.size(); i++) {
            AdmitCommand c = commands.get(i);
            if (!StoreRules.wellFormed(c)) {
                // A tenant id from a forged key must never reach a key name (it could break the hash tag).
                results[i] = INVALID_KEY;
            } else {
                calls.computeIfAbsent(callKey(c), k -> new ArrayList<>()).add(i);
            }
        }
        List<List<Integer>> parts = new ArrayList<>();
        for (List<Integer> indexes : calls.values()) {
            for (int from = 0; from < indexes.size(); from += MAX_BATCH) {
                parts.add(indexes.subList(from, Math.min(indexes.size(), from + MAX_BATCH)));
            }
        }
        List<CompletableFuture<Void>> sent = new ArrayList<>(parts.size());
        for (List<Integer> part : parts) {
            sent.add(call(commands, part).thenAccept(decided -> {
                for (int j = 0; j < part.size(); j++) {
                    results[part.get(j)] = decided.get(j);
                }
            }).toCompletableFuture());
        }
        CompletableFuture<Void> all = sent.size() == 1 ? sent.get(0) : CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
        return all.handle((done, error) -> {
            if (error != null) {
                // Whether a call applied is unknown: its receipts let a cancel find what it may have charged.
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                throw new StoreUnavailableException("Redis store failed: " + cause, cause, receipts(commands, parts));
            }
            return List.of(results);
        });
    }

    /** Each request's receipt: the id of the first request of the call that carried it (built only on failure). */
    private static Map<String, String> receipts(List<AdmitCommand> commands, List<List<Integer>> parts) {
        Map<String, String> receipts = new HashMap<>();
        for (List<Integer> part : parts) {
            String receipt = commands.get(part.get(0)).requestId();
            part.forEach(i -> receipts.put(commands.get(i).requestId(), receipt));
        }
        return receipts;
    }

    private static final AdmitResult INVALID_KEY =
            new AdmitResult.Denied(AdmitResult.Reason.INVALID_API_KEY, BillingMode.COUNT, 0, 0, 0, -1);

    /**
     * Requests decided in one call: same tenant, group and the limits config gives them. Built per request, so from
     * plain fields: a record's {@code toString} (the activation's) is far dearer than the rest of this method.
     */
    private static String callKey(AdmitCommand c) {
        Activation a = c.activation();
        return c.tenantId() + '\u0000' + c.group() + '\u0000' + c.countModeQps() + '\u0000' + c.maxQps() + '\u0000'
                + a.freeCalls() + '\u0000' + a.freeValidityMillis() + '\u0000' + a.freeTemplates() + '\u0000'
                + c.retentionMillis();
    }

    private CompletionStage<List<AdmitResult>> call(List<AdmitCommand> commands, List<Integer> part) {
        ScriptCall call = encode(commands, part);
        int n = part.size();
        String receipt = commands.get(part.get(0)).requestId();
        return scripts.run(Script.ADMIT, call.keys(), call.args()).thenApply(reply -> parse(reply, n, receipt));
    }

    /** The keys and arguments of one {@code admit.lua} call. */
    record ScriptCall(List<Object> keys, Object[] args) {
    }

    /** One {@code admit.lua} call for {@code part} (indexes into {@code commands}, one tenant, one group). */
    static ScriptCall encode(List<AdmitCommand> commands, List<Integer> part) {
        AdmitCommand first = commands.get(part.get(0));
        String t = first.tenantId();
        String g = RedisKeys.group(t, first.group());
        List<Object> keys = List.of(RedisKeys.tenant(t), RedisKeys.digests(t), g, g + ":l", g + ":i", g + ":qi", g + ":q",
                RedisKeys.window(t, first.group()), RedisKeys.requestBucket(t, first.requestId()));
        List<Object> args = new ArrayList<>(13 + 2 * part.size());
        args.addAll(List.of(RedisKeys.prefix(t), first.group(), Integer.toString(first.countModeQps()),
                Integer.toString(first.maxQps()), Long.toString(first.activation().freeCalls()),
                Long.toString(first.activation().freeValidityMillis()), Long.toString(first.activation().freeTemplates()),
                Long.toString(Math.max(1, first.retentionMillis()))));
        // What the script needs of a request besides its id, sent once per distinct value (usually one per call).
        Map<String, String> shapeNumbers = new LinkedHashMap<>();
        List<String> requests = new ArrayList<>(2 * part.size());
        for (int i : part) {
            AdmitCommand c = commands.get(i);
            String shape = c.keyDigest() + '\u0000' + c.cost() + '\u0000' + (c.qpsLimited() ? "1" : "0") + '\u0000'
                    + c.templates().wire();
            requests.add(c.requestId());
            requests.add(shapeNumbers.computeIfAbsent(shape, s -> Integer.toString(shapeNumbers.size() + 1)));
        }
        args.add(Integer.toString(shapeNumbers.size()));
        for (String shape : shapeNumbers.keySet()) {
            args.addAll(List.of((Object[]) shape.split("\u0000", -1)));
        }
        args.addAll(requests);
        return new ScriptCall(keys, args.toArray());
    }

    CompletionStage<Void> settle(SettleCommand c) {
        return finish(c.tenantId(), c.requestId(), c.receipt(), "settle", c.refund(), c.upstream2xx());
    }

    /** {@code receipt}: the first request id of the admit call that carried {@code requestId}, or null if unknown. */
    CompletionStage<Void> cancel(String tenantId, String requestId, String receipt) {
        return finish(tenantId, requestId, receipt, "cancel", false, false);
    }

    private CompletionStage<Void> finish(String tenantId, String requestId, String receipt, String op, boolean refund,
                                         boolean ok2xx) {
        if (!StoreRules.validTenantId(tenantId)) {
            return CompletableFuture.completedFuture(null);
        }
        // Without a receipt, the request may have been the first (or only) one of its call.
        String batch = receipt == null ? requestId : receipt;
        List<Object> keys = List.of(RedisKeys.tenant(tenantId), RedisKeys.requestBucket(tenantId, requestId),
                RedisKeys.request(tenantId, requestId), RedisKeys.requestBucket(tenantId, batch));
        return scripts.run(Script.SETTLE, keys, RedisScripts.args(RedisKeys.prefix(tenantId), op, refund ? 1 : 0, ok2xx ? 1 : 0,
                StoreRules.TOMBSTONE_TTL.toMillis(), requestId, batch)).thenApply(reply -> null);
    }

    /** Values of one run in the admit reply ({@code admit.lua}, {@code emit}). */
    private static final int RUN = 11;

    /**
     * The answers in request order, as runs of 11 values: the number of requests in the run, then the first one's
     * answer ('A' or a reason, mode, limit, window remaining, reset or retry ms, calls remaining, charged, charged
     * from the free lot), then the steps by which window remaining and calls remaining go down from one request of
     * the run to the next. Everything else is the same for every request of a run.
     */
    static List<AdmitResult> parse(List<Object> r, int n, String receipt) {
        if (r.size() % RUN != 0) {
            throw new StoreUnavailableException("unexpected admit reply of " + r.size() + " values for " + n + " requests", null);
        }
        List<AdmitResult> out = new ArrayList<>(n);
        for (int b = 0; b < r.size(); b += RUN) {
            long count = num(r.get(b));
            if (count < 1 || out.size() + count > n) {
                throw new StoreUnavailableException("unexpected admit reply: a run of " + count + " after " + out.size()
                        + " of " + n + " requests", null);
            }
            String code = str(r.get(b + 1));
            BillingMode mode = "qps".equals(str(r.get(b + 2))) ? BillingMode.QPS : BillingMode.COUNT;
            long limit = num(r.get(b + 3));
            long remaining = num(r.get(b + 4));
            long reset = num(r.get(b + 5));
            long calls = num(r.get(b + 6));
            long charged = num(r.get(b + 7));
            long free = num(r.get(b + 8));
            long remainingStep = num(r.get(b + 9));
            long callsStep = num(r.get(b + 10));
            boolean admitted = "A".equals(code);
            AdmitResult.Reason reason = admitted ? null : AdmitResult.Reason.valueOf(code);
            for (long j = 0; j < count; j++) {
                long rem = remaining - j * remainingStep;
                long left = calls - j * callsStep;
                out.add(admitted
                        ? new AdmitResult.Admitted(mode, limit, rem, reset, left, (int) charged, free, receipt)
                        : new AdmitResult.Denied(reason, mode, limit, rem, reset, left));
            }
        }
        if (out.size() != n) {
            throw new StoreUnavailableException("unexpected admit reply: " + out.size() + " answers for " + n + " requests", null);
        }
        return out;
    }

    static long num(Object o) {
        return o instanceof Number n ? n.longValue() : Long.parseLong(str(o));
    }

    static String str(Object o) {
        return o == null ? "" : o.toString();
    }
}
