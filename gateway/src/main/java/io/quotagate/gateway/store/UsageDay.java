package io.quotagate.gateway.store;

import java.time.LocalDate;
import java.util.Map;

/**
 * What one tenant did in one group on one UTC day.
 *
 * @param admitted     requests admitted
 * @param charged      calls charged (before refunds)
 * @param chargedFree  of {@code charged}, calls taken from the free lot (the seed promises tenants can see it)
 * @param refunded     calls refunded
 * @param rejected     rejection code (wire form) → count, for rejections the store decided
 */
public record UsageDay(String group, LocalDate date, long admitted, long charged, long chargedFree, long refunded,
                       Map<String, Long> rejected) {

    public UsageDay {
        rejected = Map.copyOf(rejected);
    }
}
