package io.quotagate.gateway.config;

import java.util.List;

/** Which upstream statuses refund the charge ({@code refund_on}: single statuses and {@code "500-599"} ranges). */
public record RefundPolicy(List<StatusRange> ranges) {

    public RefundPolicy {
        ranges = List.copyOf(ranges);
    }

    public boolean refunds(int status) {
        for (StatusRange range : ranges) {
            if (status >= range.from() && status <= range.to()) {
                return true;
            }
        }
        return false;
    }

    /** Inclusive range of statuses. */
    public record StatusRange(int from, int to) {
    }
}
