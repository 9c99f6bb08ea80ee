package io.quotagate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.Catalog;
import io.quotagate.gateway.config.Catalog.QpsTier;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Catalog prices (SPEC §4 seed figures) and QPS terms. */
class AdminPricingTest {

    static final Catalog SEED = new Catalog("CNY",
            new TreeMap<>(Map.of(1000L, bd(400), 10000L, bd(3000), 100000L, bd(20000), 1000000L, bd(120000),
                    10000000L, bd(320000))),
            List.of(new QpsTier(50, bd(220), bd(4800)), new QpsTier(100, bd(170), bd(4000)),
                    new QpsTier(null, bd(140), bd(3600))),
            new TreeMap<>(Map.of(100L, bd(400), 1000L, bd(3200), 10000L, bd(24000))));

    @Test
    void sixtyQpsForOneMonthIsPricedAtTheFiftyToHundredTier() {
        Pricing.Quote quote = Pricing.qps(SEED, 60, QpsTerm.months(1)).orElseThrow();
        assertThat(AdminJson.money(quote.price())).isEqualTo(bd(240000));
        assertThat(AdminJson.money(quote.unitPrice())).isEqualTo(bd(4000));
        assertThat(quote.currency()).isEqualTo("CNY");
    }

    @Test
    void qpsTiersSwitchAtTheirBelowBound() {
        assertThat(Pricing.qps(SEED, 49, QpsTerm.months(1)).orElseThrow().price()).isEqualByComparingTo("235200");
        assertThat(Pricing.qps(SEED, 50, QpsTerm.months(1)).orElseThrow().price()).isEqualByComparingTo("200000");
        assertThat(Pricing.qps(SEED, 99, QpsTerm.months(2)).orElseThrow().price()).isEqualByComparingTo("792000");
        assertThat(Pricing.qps(SEED, 100, QpsTerm.months(1)).orElseThrow().price()).isEqualByComparingTo("360000");
        assertThat(Pricing.qps(SEED, 10, QpsTerm.days(7)).orElseThrow().price()).isEqualByComparingTo("15400");
    }

    @Test
    void packsAndTemplatesArePricedByExactSize() {
        assertThat(Pricing.pack(SEED, 1000).orElseThrow().price()).isEqualByComparingTo("400");
        assertThat(Pricing.pack(SEED, 10000000).orElseThrow().price()).isEqualByComparingTo("320000");
        assertThat(Pricing.pack(SEED, 1500)).isEmpty();
        assertThat(Pricing.templates(SEED, 100).orElseThrow().price()).isEqualByComparingTo("400");
        assertThat(Pricing.templates(SEED, 5)).isEmpty();
        assertThat(Pricing.sizes(SEED.packs())).isEqualTo("1000, 10000, 100000, 1000000, 10000000");
    }

    @Test
    void anEmptyCatalogPricesNothing() {
        Catalog none = new Catalog(null, new TreeMap<>(), List.of(), new TreeMap<>());
        assertThat(Pricing.qps(none, 10, QpsTerm.days(1))).isEmpty();
        assertThat(Pricing.pack(none, 1000)).isEmpty();
        assertThat(Pricing.sizes(none.packs())).isEqualTo("none");
    }

    @Test
    void monthsEndOnTheSameDayOfALaterMonthOrItsLastDay() {
        Instant jan15 = Instant.parse("2026-01-15T10:00:00Z");
        assertThat(QpsTerm.months(1).end(jan15)).isEqualTo(Instant.parse("2026-02-15T10:00:00Z"));
        assertThat(QpsTerm.months(1).end(Instant.parse("2026-01-31T00:00:00Z")))
                .isEqualTo(Instant.parse("2026-02-28T00:00:00Z"));
        assertThat(QpsTerm.months(12).end(jan15)).isEqualTo(Instant.parse("2027-01-15T10:00:00Z"));
        assertThat(QpsTerm.days(30).end(jan15)).isEqualTo(Instant.parse("2026-02-14T10:00:00Z"));
    }

    @Test
    void moneyDropsTrailingZerosButKeepsCents() {
        assertThat(AdminJson.money(new BigDecimal("240000.00")).toPlainString()).isEqualTo("240000");
        assertThat(AdminJson.money(new BigDecimal("1.50")).toPlainString()).isEqualTo("1.5");
        assertThat(AdminJson.money(null)).isNull();
    }

    private static BigDecimal bd(long value) {
        return BigDecimal.valueOf(value);
    }
}
