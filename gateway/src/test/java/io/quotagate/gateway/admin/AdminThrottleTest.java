package io.quotagate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.AdminConfig;
import io.quotagate.gateway.testkit.MutableClock;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The wrong-token throttle on a hand-moved clock: 3 failures within 60 s start a 30 s cool-down. */
class AdminThrottleTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-15T00:00:00Z"));
    private final AdminThrottle throttle = new AdminThrottle(
            new AdminConfig.Throttle(3, Duration.ofSeconds(60), Duration.ofSeconds(30)), clock);
    private final InetAddress a = address("10.0.0.1");
    private final InetAddress b = address("10.0.0.2");

    @Test
    void theNthFailureWithinTheWindowStartsTheCoolDownForThatAddressOnly() {
        assertThat(throttle.failed(a)).isFalse();
        clock.advance(Duration.ofSeconds(20));
        assertThat(throttle.failed(a)).isFalse();
        assertThat(throttle.refusedFor(a)).isEmpty();
        clock.advance(Duration.ofSeconds(20));
        assertThat(throttle.failed(a)).as("the third within 60 s").isTrue();

        assertThat(throttle.refusedFor(a)).contains(Duration.ofSeconds(30));
        assertThat(throttle.refusedFor(b)).isEmpty();
        clock.advance(Duration.ofMillis(29_999));
        assertThat(throttle.refusedFor(a)).contains(Duration.ofMillis(1));
    }

    @Test
    void theCoolDownEndsOnTimeAndIsNotExtendedByRefusedCalls() {
        failTimes(a, 3);
        for (int i = 0; i < 29; i++) {
            clock.advance(Duration.ofSeconds(1));
            assertThat(throttle.refusedFor(a)).isPresent(); // a refused call, not a failure
        }
        clock.advance(Duration.ofSeconds(1));
        assertThat(throttle.refusedFor(a)).as("30 s after the third failure").isEmpty();
        assertThat(throttle.failed(a)).as("the address starts afresh: one failure is not three").isFalse();
        assertThat(throttle.refusedFor(a)).isEmpty();
    }

    @Test
    void failuresOlderThanTheWindowAreForgotten() {
        failTimes(a, 2);
        clock.advance(Duration.ofSeconds(60));
        assertThat(throttle.failed(a)).as("a new window: 1 failure").isFalse();
        assertThat(throttle.failed(a)).isFalse();
        assertThat(throttle.refusedFor(a)).isEmpty();
        assertThat(throttle.failed(a)).isTrue();
    }

    @Test
    void aSuccessInBetweenDoesNotResetTheCount() {
        // A success is simply not reported to the throttle: the AdminGuard checks the token only when not refused.
        failTimes(a, 2);
        assertThat(throttle.refusedFor(a)).as("the right token is let through").isEmpty();
        assertThat(throttle.failed(a)).isTrue();
    }

    @Test
    void ipv6ClientsAreCountedPerSlash64() {
        failTimes(address("2001:db8:1:2::1"), 2);
        assertThat(throttle.failed(address("2001:db8:1:2:ffff::9"))).as("same /64").isTrue();
        assertThat(throttle.refusedFor(address("2001:db8:1:2::abcd"))).isPresent();
        assertThat(throttle.refusedFor(address("2001:db8:1:3::1"))).as("another /64").isEmpty();
        assertThat(AdminThrottle.key(address("2001:db8:1:2::1"))).isEqualTo("20010db800010002/64");
        assertThat(AdminThrottle.key(a)).isEqualTo("10.0.0.1");
    }

    @Test
    void aSprayOfAddressesCannotGrowTheTableAndDoesNotFreeAnAddressThatKeepsFailing() {
        AdminThrottle small = new AdminThrottle(new AdminConfig.Throttle(3, Duration.ofSeconds(60),
                Duration.ofSeconds(30)), clock, 100);
        for (int i = 0; i < 3; i++) {
            small.failed(a);
        }
        for (int i = 0; i < 10_000; i++) {
            small.failed(address("10.1." + (i / 250) + "." + (i % 250)));
            if (i % 50 == 0) {
                assertThat(small.refusedFor(a)).as("the guesser keeps knocking, so it stays remembered").isPresent();
            }
        }
        assertThat(small.size()).isEqualTo(100);
        assertThat(small.refusedFor(a)).isPresent();
    }

    private void failTimes(InetAddress address, int times) {
        for (int i = 0; i < times; i++) {
            throttle.failed(address);
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
