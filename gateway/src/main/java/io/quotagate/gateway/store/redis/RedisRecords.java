package io.quotagate.gateway.store.redis;

import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.KeyInfo;
import io.quotagate.gateway.store.LedgerEntry;
import io.quotagate.gateway.store.Lot;
import io.quotagate.gateway.store.QpsPurchase;
import io.quotagate.gateway.store.TemplateQuota;
import io.quotagate.gateway.store.TenantView;
import io.quotagate.gateway.store.UsageCounters;
import io.quotagate.gateway.store.UsageDay;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the lines the scripts return (fields separated by the ASCII unit separator, which stored text never
 * contains) into the store's value types.
 */
final class RedisRecords {

    static final String SEP = "\u001f";

    /** A tenant as read in one script call: what the admin API shows, and its keys. */
    record Snapshot(TenantView view, List<KeyInfo> keys) {
    }

    private RedisRecords() {
    }

    static String[] fields(Object line) {
        return String.valueOf(line).split(SEP, -1);
    }

    static Snapshot snapshot(List<Object> lines) {
        String[] t = null;
        Map<String, String[]> groups = new TreeMap<>();
        Map<String, List<Lot>> lots = new HashMap<>();
        Map<String, List<QpsPurchase>> purchases = new HashMap<>();
        List<KeyInfo> keys = new ArrayList<>();
        for (Object line : lines) {
            String[] f = fields(line);
            switch (f[0]) {
                case "T" -> t = f;
                case "G" -> groups.put(f[1], f);
                case "L" -> lots.computeIfAbsent(f[1], g -> new ArrayList<>()).add(lot(f, 2));
                case "Q" -> purchases.computeIfAbsent(f[1], g -> new ArrayList<>()).add(purchase(f, 2));
                case "K" -> keys.add(key(f, 1));
                default -> throw new IllegalStateException("unexpected line " + line);
            }
        }
        if (t == null) {
            return null;
        }
        Map<String, TenantView.GroupView> views = new TreeMap<>();
        groups.forEach((name, g) -> views.put(name, new TenantView.GroupView(
                BillingMode.valueOf(g[2].toUpperCase(Locale.ROOT)),
                lots.getOrDefault(name, List.of()).stream().sorted(Lot.USE_ORDER).toList(),
                purchases.getOrDefault(name, List.of()).stream()
                        .sorted((a, b) -> a.startsAt().compareTo(b.startsAt())).toList(),
                new TemplateQuota(Long.parseLong(g[3]), Long.parseLong(g[4])))));
        keys.sort((a, b) -> a.keyId().compareTo(b.keyId()));
        TenantView view = new TenantView(t[1], blankToNull(t[2]), TenantView.Status.valueOf(t[3].toUpperCase(Locale.ROOT)),
                millis(t[4]), views);
        return new Snapshot(view, keys);
    }

    /** id, remaining, source, calls, granted, expires, order (as read) starting at {@code i}. */
    static Lot lot(String[] f, int i) {
        return new Lot(f[i], Lot.Source.valueOf(f[i + 2].toUpperCase(Locale.ROOT)), Long.parseLong(f[i + 3]),
                Long.parseLong(f[i + 1]), millis(f[i + 4]), millis(f[i + 5]), blankToNull(f[i + 6]));
    }

    /** A granted lot: id, source, calls, remaining, granted, expires, order. */
    static Lot grantedLot(String line) {
        String[] f = fields(line);
        return new Lot(f[0], Lot.Source.valueOf(f[1].toUpperCase(Locale.ROOT)), Long.parseLong(f[2]),
                Long.parseLong(f[3]), millis(f[4]), millis(f[5]), blankToNull(f[6]));
    }

    static QpsPurchase purchase(String[] f, int i) {
        return new QpsPurchase(f[i], Integer.parseInt(f[i + 1]), millis(f[i + 2]), millis(f[i + 3]), blankToNull(f[i + 4]));
    }

    static TemplateQuota templates(String line) {
        String[] f = fields(line);
        return new TemplateQuota(Long.parseLong(f[0]), Long.parseLong(f[1]));
    }

    /** keyId, digest, created, revoked. */
    static KeyInfo key(String[] f, int i) {
        return new KeyInfo(f[i], f[i + 1], millis(f[i + 2]), f[i + 3].isEmpty() ? null : millis(f[i + 3]));
    }

    static LedgerEntry ledger(Object line) {
        String[] f = fields(line);
        return new LedgerEntry(millis(f[0]), f[1], blankToNull(f[2]), blankToNull(f[3]), f[4],
                f[5].isEmpty() ? null : new BigDecimal(f[5]), blankToNull(f[6]));
    }

    /** U, group, epoch day, then counter name/value pairs. */
    static UsageDay usage(Object line) {
        String[] f = fields(line);
        Map<String, Long> counters = new HashMap<>();
        for (int i = 3; i + 1 < f.length; i += 2) {
            counters.put(f[i], Long.parseLong(f[i + 1]));
        }
        return UsageCounters.toDay(f[1], Long.parseLong(f[2]), counters);
    }

    static Instant millis(String s) {
        return Instant.ofEpochMilli(Long.parseLong(s));
    }

    static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
