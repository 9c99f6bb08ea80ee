package io.quotagate.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Billing events sent to a webhook ({@code events}, docs/billing-events.md). Reloadable: the emitter and the
 * delivery worker read it at each use.
 *
 * @param webhookUrl      where events are POSTed; null: events are off (nothing is recorded or sent)
 * @param secret          the HMAC-SHA256 key of the signature
 * @param lowCalls        the {@code calls_low} threshold of every group without its own
 * @param lowCallsByGroup per group thresholds
 * @param lotExpiryNotice {@code lot_expiring} is sent this long before a lot with calls left expires
 * @param qpsEndNotice    {@code qps_purchase_ending} is sent this long before a purchase ends
 * @param timeout         a delivery without a 2xx answer within this is a failed attempt
 * @param maxAttempts     attempts before an event is parked as failed ({@code events replay} sends it again)
 * @param retryInitial    the wait after the first failed attempt; it doubles per attempt up to {@code retryMax}
 */
public record EventsConfig(URI webhookUrl, String secret, Threshold lowCalls, Map<String, Threshold> lowCallsByGroup,
                           Duration lotExpiryNotice, Duration qpsEndNotice, Duration timeout, int maxAttempts,
                           Duration retryInitial, Duration retryMax) {

    public static final EventsConfig OFF = new EventsConfig(null, "", Threshold.percent(10), Map.of(),
            Duration.ofDays(30), Duration.ofDays(30), Duration.ofSeconds(5), 10, Duration.ofSeconds(1),
            Duration.ofMinutes(5));

    public EventsConfig {
        lowCallsByGroup = Map.copyOf(lowCallsByGroup);
    }

    public boolean enabled() {
        return webhookUrl != null;
    }

    public Threshold lowCalls(String group) {
        return lowCallsByGroup.getOrDefault(group, lowCalls);
    }

    /** A {@code calls_low} threshold: a number of calls, or a percentage of the group's last grant. */
    public record Threshold(long calls, int percent) {

        public static Threshold calls(long calls) {
            return new Threshold(calls, 0);
        }

        public static Threshold percent(int percent) {
            return new Threshold(0, percent);
        }

        public boolean isShare() {
            return percent > 0;
        }

        /** The threshold in calls for a last grant of {@code lastGrant} calls (rounded up). */
        public long resolve(long lastGrant) {
            return isShare() ? (lastGrant * percent + 99) / 100 : calls;
        }

        @Override
        public String toString() {
            return isShare() ? percent + "%" : Long.toString(calls);
        }
    }
}
