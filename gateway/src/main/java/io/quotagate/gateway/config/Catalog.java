package io.quotagate.gateway.config;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Prices from the vendor's billing rules, used by quotes and recorded on grants.
 *
 * @param currency  ISO 4217 code; {@code XXX} ("no currency") in {@link #EMPTY}
 * @param packs     calls in a pack → price
 * @param qps       volume tiers, in ascending {@code below} order, the last with {@code below == null}
 * @param templates slots → price
 */
public record Catalog(String currency, SortedMap<Long, BigDecimal> packs, List<QpsTier> qps, SortedMap<Long, BigDecimal> templates) {

    /** The catalog of a config without {@code catalog}: no prices, so every quote is refused. */
    public static final Catalog EMPTY = new Catalog("XXX", new TreeMap<>(), List.of(), new TreeMap<>());

    public Catalog {
        packs = Collections.unmodifiableSortedMap(new TreeMap<>(packs));
        qps = List.copyOf(qps);
        templates = Collections.unmodifiableSortedMap(new TreeMap<>(templates));
    }

    /** One volume tier: applies to purchases of fewer than {@code below} QPS (null: any quantity). */
    public record QpsTier(Integer below, BigDecimal perDay, BigDecimal perMonth) {
    }
}
