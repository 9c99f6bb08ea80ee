package io.quotagate.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.store.BillingMode;
import org.junit.jupiter.api.Test;

/** {@link FailOpenLimiter}: the share, the limit it comes from and the local sliding window, on a fake time. */
class FailOpenLimiterTest {

    private final FailOpenLimiter limiter = new FailOpenLimiter(100);

    @Test
    void theShareIsTheLimitDividedByTheLiveReplicasRoundedUpAndAtLeastOne() {
        assertThat(FailOpenLimiter.share(10, 1)).isEqualTo(10);
        assertThat(FailOpenLimiter.share(10, 2)).isEqualTo(5);
        assertThat(FailOpenLimiter.share(10, 3)).isEqualTo(4);
        assertThat(FailOpenLimiter.share(5, 2)).isEqualTo(3);
        assertThat(FailOpenLimiter.share(3, 4)).isEqualTo(1);
        assertThat(FailOpenLimiter.share(0, 2)).as("never 0: a tenant with a limit gets through").isEqualTo(1);
    }

    @Test
    void aTenantNeverSeenGetsTheCountModeLimitItsShareOfIt() {
        limiter.replicasSeen(2);
        assertThat(admittedInOneInstant("acme", "portrait", 10, 0)).isEqualTo(5);
        FailOpenLimiter.Verdict refused = limiter.acquire("acme", "portrait", 10, 0);
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.limit()).isEqualTo(10);
        assertThat(refused.share()).isEqualTo(5);
        assertThat(refused.waitMillis()).isEqualTo(1000);
    }

    @Test
    void theLimitRememberedFromTheLastAdmissionWinsOverTheCountModeFallback() {
        limiter.remember("acme", "portrait", BillingMode.QPS, 40, true);
        limiter.remember("acme", "portrait", BillingMode.QPS, 0, false); // a route outside the window: mode only
        limiter.replicasSeen(4);

        assertThat(limiter.known("acme", "portrait")).isEqualTo(new FailOpenLimiter.Limit(BillingMode.QPS, 40));
        assertThat(admittedInOneInstant("acme", "portrait", 10, 0)).isEqualTo(10);
        assertThat(admittedInOneInstant("acme", "video", 10, 0)).as("another group: never seen").isEqualTo(3);
        assertThat(admittedInOneInstant("globex", "portrait", 10, 0)).as("another tenant").isEqualTo(3);

        limiter.remember("acme", "portrait", BillingMode.COUNT, 8, true); // switched back to count mode
        assertThat(limiter.known("acme", "portrait")).isEqualTo(new FailOpenLimiter.Limit(BillingMode.COUNT, 8));
    }

    @Test
    void onlyTheModeIsKnownAfterAdmissionsOnRoutesOutsideTheWindow() {
        limiter.remember("acme", "portrait", BillingMode.QPS, 0, false);
        assertThat(limiter.known("acme", "portrait")).isEqualTo(new FailOpenLimiter.Limit(BillingMode.QPS, -1));
        assertThat(admittedInOneInstant("acme", "portrait", 7, 0)).as("the fallback applies").isEqualTo(7);
    }

    @Test
    void theWindowSlides() {
        // Share 3: admissions at 0, 400 and 900 fill it; each slot frees exactly 1000 ms after its admission.
        assertThat(acquire(0)).isZero();
        assertThat(acquire(400)).isZero();
        assertThat(acquire(900)).isZero();
        assertThat(acquire(999)).as("until the first is a second old").isEqualTo(1);
        assertThat(acquire(1000)).isZero();
        assertThat(acquire(1001)).as("a fixed window would have reset at 1000").isEqualTo(399);
        assertThat(acquire(1400)).isZero();
        assertThat(acquire(1500)).isEqualTo(400);
        // In every 1000 ms interval, at most 3 were admitted.
    }

    @Test
    void refusalsDoNotUseTheWindowUp() {
        for (int i = 0; i < 3; i++) {
            assertThat(acquire(0)).isZero();
        }
        for (int t = 1; t < 1000; t += 50) {
            assertThat(acquire(t)).isPositive();
        }
        assertThat(admittedInOneInstant("acme", "portrait", 3, 1000)).isEqualTo(3);
    }

    @Test
    void whenThePeerCountChangesTheWindowKeepsItsNewestAdmissions() {
        limiter.replicasSeen(1);
        for (int t = 0; t < 6; t++) {
            assertThat(limiter.acquire("acme", "portrait", 6, t * 100L).admitted()).isTrue();
        }
        limiter.replicasSeen(2); // share 3: the three newest (300, 400, 500) stay
        assertThat(limiter.acquire("acme", "portrait", 6, 999).admitted()).isFalse();
        assertThat(limiter.acquire("acme", "portrait", 6, 1300).admitted()).isTrue();
        assertThat(limiter.acquire("acme", "portrait", 6, 1350).admitted()).isFalse();
        limiter.replicasSeen(1); // share 6 again, holding 400, 500, 1300
        assertThat(admittedInOneInstant("acme", "portrait", 6, 1350)).isEqualTo(3);
    }

    @Test
    void forgettingTheWindowsStartsEveryTenantAfresh() {
        assertThat(admittedInOneInstant("acme", "portrait", 3, 0)).isEqualTo(3);
        limiter.forgetWindows();
        assertThat(admittedInOneInstant("acme", "portrait", 3, 10)).isEqualTo(3);
    }

    @Test
    void pastItsBoundTheLimiterForgetsAndFallsBack() {
        FailOpenLimiter small = new FailOpenLimiter(2);
        small.remember("a", "g", BillingMode.QPS, 50, true);
        small.remember("b", "g", BillingMode.QPS, 50, true);
        small.remember("c", "g", BillingMode.QPS, 50, true);
        assertThat(small.known("a", "g")).isNull();
        assertThat(small.known("c", "g")).isNotNull();
    }

    private long acquire(long now) {
        return limiter.acquire("acme", "portrait", 3, now).waitMillis();
    }

    private int admittedInOneInstant(String tenant, String group, long fallback, long now) {
        int admitted = 0;
        for (int i = 0; i < 100; i++) {
            if (limiter.acquire(tenant, group, fallback, now).admitted()) {
                admitted++;
            }
        }
        return admitted;
    }
}
