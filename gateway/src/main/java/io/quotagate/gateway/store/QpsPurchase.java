package io.quotagate.gateway.store;

import java.time.Instant;

/** Bought QPS of one tenant and group, active on {@code [startsAt, endsAt)} while the mode is {@code qps}. */
public record QpsPurchase(String id, int qps, Instant startsAt, Instant endsAt, String orderId) {

    public boolean activeAt(Instant now) {
        return !now.isBefore(startsAt) && now.isBefore(endsAt);
    }
}
