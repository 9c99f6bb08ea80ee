package io.quotagate.gateway.admin;

import io.quotagate.gateway.config.Catalog;
import io.quotagate.gateway.config.Catalog.QpsTier;
import java.math.BigDecimal;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Prices from the catalog in force: packs and template slots by exact size, QPS by the volume tier of the
 * quantity bought (60 QPS for one month at 4000 per QPS-month = 240000). Used by quotes and recorded on grants.
 */
public final class Pricing {

    private Pricing() {
    }

    /** A priced offer. {@code term} is null for packs and templates; {@code unitPrice} is per QPS-day or QPS-month. */
    public record Quote(String kind, long quantity, QpsTerm term, BigDecimal unitPrice, BigDecimal price, String currency) {
    }

    public static Optional<Quote> pack(Catalog catalog, long calls) {
        return bySize(catalog.packs(), calls).map(price -> new Quote("pack", calls, null, price, price, catalog.currency()));
    }

    public static Optional<Quote> templates(Catalog catalog, long slots) {
        return bySize(catalog.templates(), slots)
                .map(price -> new Quote("template", slots, null, price, price, catalog.currency()));
    }

    /** Empty when the catalog has no QPS tiers or the tier has no price for the term's unit. */
    public static Optional<Quote> qps(Catalog catalog, long qps, QpsTerm term) {
        QpsTier tier = tier(catalog, qps);
        if (tier == null) {
            return Optional.empty();
        }
        BigDecimal unit = term.unit() == QpsTerm.Unit.DAYS ? tier.perDay() : tier.perMonth();
        if (unit == null) {
            return Optional.empty();
        }
        BigDecimal price = unit.multiply(BigDecimal.valueOf(qps)).multiply(BigDecimal.valueOf(term.amount()));
        return Optional.of(new Quote("qps", qps, term, unit, price, catalog.currency()));
    }

    /** The first tier whose {@code below} is above the quantity, or the open last tier. */
    static QpsTier tier(Catalog catalog, long qps) {
        for (QpsTier tier : catalog.qps()) {
            if (tier.below() == null || qps < tier.below()) {
                return tier;
            }
        }
        return null;
    }

    /** For a refusal: {@code 1000, 10000, 100000}. */
    static String sizes(SortedMap<Long, BigDecimal> bySize) {
        return bySize.isEmpty() ? "none" : String.join(", ", bySize.keySet().stream().map(String::valueOf).toList());
    }

    private static Optional<BigDecimal> bySize(SortedMap<Long, BigDecimal> bySize, long size) {
        return Optional.ofNullable(bySize.get(size));
    }
}
