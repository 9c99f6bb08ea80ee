package io.quotagate.gateway.config;

/**
 * A tenant's overrides for one group; null fields keep the group's value.
 */
public record GroupOverride(Integer countModeQps, Integer maxQps) {

    public static final GroupOverride NONE = new GroupOverride(null, null);

    public int countModeQps(GroupConfig group) {
        return countModeQps != null ? countModeQps : group.countModeQps();
    }

    public int maxQps(GroupConfig group) {
        return maxQps != null ? maxQps : group.maxQps();
    }
}
