package io.quotagate.gateway.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Everything {@link MemoryQuotaStore} keeps about one tenant; guarded by the store's lock. */
final class MemoryTenant {

    final String id;
    final String name;
    final Instant createdAt;
    final String fingerprint;
    TenantView.Status status = TenantView.Status.ACTIVE;
    final Map<String, KeyInfo> keys = new LinkedHashMap<>();
    /** Active keys only: revoking removes the digest, so admission never sees a revoked key. */
    final Map<String, String> keyIdByDigest = new HashMap<>();
    final Map<String, MemoryGroup> groups = new TreeMap<>();
    final List<LedgerEntry> ledger = new ArrayList<>();
    /** Order id → fingerprint and first result (rule 10). */
    final Map<String, Order> orders = new HashMap<>();
    /** group → epoch day → counter → value. */
    final Map<String, TreeMap<Long, Map<String, Long>>> usage = new HashMap<>();
    private long seq;

    record Order(String fingerprint, Object result) {
    }

    MemoryTenant(String id, String name, Instant createdAt, String fingerprint) {
        this.id = id;
        this.name = name;
        this.createdAt = createdAt;
        this.fingerprint = fingerprint;
    }

    String nextId(char prefix) {
        return String.format("%c%09d", prefix, ++seq);
    }

    /** A group touched by an operation before its activation exists, with no free lot yet. */
    MemoryGroup group(String group) {
        return groups.computeIfAbsent(group, g -> new MemoryGroup());
    }

    /** Rule 1: once per tenant and group, ever. Returns whether it happened now. */
    boolean activate(String groupName, Activation activation, Instant now) {
        MemoryGroup group = group(groupName);
        if (group.activatedAt != null) {
            return false;
        }
        group.activatedAt = now;
        group.templateQuota += activation.freeTemplates();
        if (activation.freeCalls() > 0) {
            group.lots.add(new MemoryGroup.MemoryLot(nextId('L'), Lot.Source.FREE, activation.freeCalls(), now,
                    now.plusMillis(activation.freeValidityMillis()), ""));
        }
        record(now, "group_activated", groupName, "", "free_calls=" + activation.freeCalls()
                + " free_templates=" + activation.freeTemplates());
        return true;
    }

    void record(Instant at, String kind, String group, String orderId, String detail) {
        ledger.add(new LedgerEntry(at, kind, blankToNull(group), blankToNull(orderId), detail, null, null));
    }

    static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    void count(String group, long epochDay, String counter, long n) {
        if (n != 0) {
            usage.computeIfAbsent(group, g -> new TreeMap<>()).computeIfAbsent(epochDay, d -> new HashMap<>())
                    .merge(counter, n, Long::sum);
        }
    }

    TenantView view() {
        Map<String, TenantView.GroupView> views = new TreeMap<>();
        groups.forEach((name, group) -> views.put(name, group.view()));
        return new TenantView(id, name, status, createdAt, views);
    }
}
