package io.quotagate.gateway.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Reads {@code groups} (with their routes) and {@code overrides}, which must name those groups. */
final class GroupReader {

    /** Group names and tenant ids share the tenant id syntax of SPEC §1. */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    static final String NAME_EXPECTED = "[a-z0-9][a-z0-9_-]{0,63}";
    /** A sanity cap on any QPS figure: far above the vendor's 300, low enough to catch a stray digit. */
    static final int QPS_CAP = 100_000;

    private GroupReader() {
    }

    static Map<String, GroupConfig> groups(ConfigMap root) throws ConfigException {
        ConfigNode node = root.require("groups", "at least one group with routes");
        ConfigMap m = node.openMap();
        if (m.isEmpty()) {
            throw node.error("no groups (expected: at least one group with routes)");
        }
        Map<String, GroupConfig> groups = new LinkedHashMap<>();
        // METHOD PATH -> key path of the route that first used it
        Map<String, String> matches = new HashMap<>();
        for (ConfigMap.Entry entry : m.entries()) {
            String name = entry.key();
            if (!NAME.matcher(name).matches()) {
                throw entry.value().keyError("invalid group name (expected: " + NAME_EXPECTED + ")");
            }
            ConfigMap g = entry.value().map("count_mode_qps", "max_qps", "on_error", "routes");
            int countModeQps = g.integer("count_mode_qps", 10, 1, QPS_CAP);
            int maxQps = g.integer("max_qps", 300, 1, QPS_CAP);
            OnError onError = StoreReader.onError(g, null);
            List<RouteConfig> routes = RouteReader.routes(g.require("routes", "at least one route"), matches);
            groups.put(name, new GroupConfig(name, countModeQps, maxQps, onError, routes));
        }
        return groups;
    }

    static Map<String, Map<String, GroupOverride>> overrides(ConfigMap root, Map<String, GroupConfig> groups)
            throws ConfigException {
        Map<String, Map<String, GroupOverride>> overrides = new LinkedHashMap<>();
        ConfigNode node = root.get("overrides");
        if (node == null) {
            return overrides;
        }
        for (ConfigMap.Entry tenant : node.openMap().entries()) {
            if (!NAME.matcher(tenant.key()).matches()) {
                throw tenant.value().keyError("invalid tenant id (expected: " + NAME_EXPECTED + ")");
            }
            Map<String, GroupOverride> byGroup = new LinkedHashMap<>();
            for (ConfigMap.Entry group : tenant.value().openMap().entries()) {
                if (!groups.containsKey(group.key())) {
                    throw group.value().keyError("unknown group (expected one of: "
                            + String.join(", ", new TreeSet<>(groups.keySet())) + ")");
                }
                ConfigMap o = group.value().map("count_mode_qps", "max_qps");
                byGroup.put(group.key(), new GroupOverride(
                        o.optionalInteger("count_mode_qps", 1, QPS_CAP), o.optionalInteger("max_qps", 1, QPS_CAP)));
            }
            overrides.put(tenant.key(), byGroup);
        }
        return overrides;
    }
}
