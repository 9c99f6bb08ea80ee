package io.quotagate.gateway.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** One group of one tenant in {@link MemoryQuotaStore}: lots, purchases, templates and the QPS window. */
final class MemoryGroup {

    private static final Comparator<MemoryLot> USE_ORDER = Comparator.comparing(MemoryLot::view, Lot.USE_ORDER);

    BillingMode mode = BillingMode.COUNT;
    long templateQuota;
    long templatesUsed;
    /** Set once by the first activation and never cleared (rule 1). */
    Instant activatedAt;
    final List<MemoryLot> lots = new ArrayList<>();
    final List<QpsPurchase> purchases = new ArrayList<>();
    /** Admission times in µs, newest first, at most the limit in force at the last push. */
    final WindowRing window = new WindowRing();

    /** A lot with a mutable balance. */
    static final class MemoryLot {
        final String id;
        final Lot.Source source;
        final long calls;
        long remaining;
        final Instant grantedAt;
        final Instant expiresAt;
        final String orderId;

        MemoryLot(String id, Lot.Source source, long calls, Instant grantedAt, Instant expiresAt, String orderId) {
            this.id = id;
            this.source = source;
            this.calls = calls;
            this.remaining = calls;
            this.grantedAt = grantedAt;
            this.expiresAt = expiresAt;
            this.orderId = orderId;
        }

        boolean usableAt(Instant now) {
            return remaining > 0 && now.isBefore(expiresAt);
        }

        Lot view() {
            return new Lot(id, source, calls, remaining, grantedAt, expiresAt, orderId);
        }
    }

    /** Lots with calls left that have not expired, in use order (rule 2). Runs on every charge: no streams. */
    List<MemoryLot> usableLots(Instant now) {
        List<MemoryLot> usable = new ArrayList<>(lots.size());
        for (MemoryLot lot : lots) {
            if (lot.usableAt(now)) {
                usable.add(lot);
            }
        }
        if (usable.size() > 1) {
            usable.sort(USE_ORDER);
        }
        return usable;
    }

    long usableCalls(Instant now) {
        long sum = 0;
        for (MemoryLot lot : lots) {
            if (lot.usableAt(now)) {
                sum += lot.remaining;
            }
        }
        return sum;
    }

    MemoryLot lot(String id) {
        return lots.stream().filter(l -> l.id.equals(id)).findFirst().orElse(null);
    }

    int activeQps(Instant now) {
        return purchases.stream().filter(p -> p.activeAt(now)).mapToInt(QpsPurchase::qps).sum();
    }

    /** Rule 5: the highest active sum over [startsAt, endsAt) if {@code qps} more were bought for that span. */
    int peakWith(int qps, Instant startsAt, Instant endsAt) {
        List<QpsPurchase> overlapping = purchases.stream()
                .filter(p -> p.endsAt().isAfter(startsAt) && p.startsAt().isBefore(endsAt)).toList();
        int peak = sumAt(overlapping, startsAt);
        for (QpsPurchase p : overlapping) {
            if (p.startsAt().isAfter(startsAt)) {
                peak = Math.max(peak, sumAt(overlapping, p.startsAt()));
            }
        }
        return peak + qps;
    }

    private static int sumAt(List<QpsPurchase> purchases, Instant at) {
        return purchases.stream().filter(p -> p.activeAt(at)).mapToInt(QpsPurchase::qps).sum();
    }

    /** How many of the newest {@code min(size, limit)} admissions lie in (now - 1 s, now]. */
    int windowCount(int limit, long nowMicros) {
        return window.inWindow(limit, nowMicros);
    }

    long windowEntry(int index) {
        return window.entry(index);
    }

    void push(long nowMicros, int limit) {
        window.push(nowMicros, limit);
    }

    TenantView.GroupView view() {
        return new TenantView.GroupView(mode, lots.stream().sorted(USE_ORDER).map(MemoryLot::view).toList(),
                purchases.stream().sorted(Comparator.comparing(QpsPurchase::startsAt)).toList(),
                new TemplateQuota(templateQuota, templatesUsed));
    }
}
