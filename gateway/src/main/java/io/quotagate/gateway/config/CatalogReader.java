package io.quotagate.gateway.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads {@code catalog}: prices for packs, QPS tiers and template slots. Absent means
 * {@link Catalog#EMPTY} (quotes are refused); present means a currency and well-formed prices.
 */
final class CatalogReader {

    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final Pattern QUANTITY = Pattern.compile("[1-9][0-9]{0,17}");

    private CatalogReader() {
    }

    static Catalog catalog(ConfigMap root) throws ConfigException {
        ConfigNode node = root.get("catalog");
        if (node == null) {
            return Catalog.EMPTY;
        }
        ConfigMap m = node.map("currency", "packs", "qps", "templates");
        ConfigNode currencyNode = m.require("currency", "an ISO 4217 code such as CNY");
        String currency = currencyNode.string();
        if (!CURRENCY.matcher(currency).matches()) {
            throw currencyNode.invalid(currency, "an ISO 4217 code such as CNY");
        }
        return new Catalog(currency, prices(m.get("packs")), tiers(m.get("qps")), prices(m.get("templates")));
    }

    /** quantity → price; quantities are keys, so their errors point at the key. */
    private static SortedMap<Long, BigDecimal> prices(ConfigNode node) throws ConfigException {
        SortedMap<Long, BigDecimal> prices = new TreeMap<>();
        if (node == null) {
            return prices;
        }
        for (ConfigMap.Entry entry : node.openMap().entries()) {
            if (!QUANTITY.matcher(entry.key()).matches()) {
                throw entry.value().keyError("invalid quantity (expected: a whole number > 0)");
            }
            prices.put(Long.parseLong(entry.key()), entry.value().price());
        }
        return prices;
    }

    /**
     * Tiers in ascending {@code below}; only the last has no {@code below}, so every quantity has
     * exactly one price.
     */
    private static List<Catalog.QpsTier> tiers(ConfigNode node) throws ConfigException {
        List<Catalog.QpsTier> tiers = new ArrayList<>();
        if (node == null) {
            return tiers;
        }
        List<ConfigNode> items = node.list();
        if (items.isEmpty()) {
            throw node.error("no tiers (expected: at least one tier, the last without below)");
        }
        Integer previous = null;
        for (int i = 0; i < items.size(); i++) {
            ConfigMap m = items.get(i).map("below", "per_day", "per_month");
            ConfigNode belowNode = m.get("below");
            boolean last = i == items.size() - 1;
            Integer below = null;
            if (belowNode != null) {
                below = (int) belowNode.integer(1, GroupReader.QPS_CAP);
                if (last) {
                    throw belowNode.invalid(String.valueOf(below), "no below on the last tier, so that every quantity has a price");
                }
                if (previous != null && below <= previous) {
                    throw belowNode.invalid(String.valueOf(below), "> " + previous + ", tiers in ascending order");
                }
            } else if (!last) {
                throw m.error("below", "missing (expected: below on every tier but the last)");
            }
            tiers.add(new Catalog.QpsTier(below, m.require("per_day", "a price").price(),
                    m.require("per_month", "a price").price()));
            previous = below;
        }
        return tiers;
    }
}
