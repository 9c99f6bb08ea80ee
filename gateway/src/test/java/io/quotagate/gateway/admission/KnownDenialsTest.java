package io.quotagate.gateway.admission;

import static io.quotagate.gateway.store.StoreFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.store.AdmitCommand;
import io.quotagate.gateway.store.AdmitResult.Admitted;
import io.quotagate.gateway.store.AdmitResult.Denied;
import io.quotagate.gateway.store.AdmitResult.Reason;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.TemplateUse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which store denials a replica may repeat without a round trip, and what forgets them. */
class KnownDenialsTest {

    private static final long T0 = 1_000_000_000L;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private final KnownDenials known = new KnownDenials();

    private static Denied qpsExceeded(long retryMs, long calls) {
        return new Denied(Reason.QPS_EXCEEDED, BillingMode.COUNT, 10, 0, retryMs, calls);
    }

    private static Denied exhausted(long calls) {
        return new Denied(Reason.CALLS_EXHAUSTED, BillingMode.COUNT, 10, 0, 0, calls);
    }

    @Test
    void aFullWindowIsRepeatedUntilItsOldestAdmissionLeavesWithTheRemainingWait() {
        AdmitCommand c = request().countQps(10).command();
        known.remember(c, qpsExceeded(300, 50), T0, known.epoch());

        Denied again = known.lookup(request().countQps(10).command(), T0 + 100 * MS);
        assertThat(again.reason()).isEqualTo(Reason.QPS_EXCEEDED);
        assertThat(again.retryAfterMillis()).isEqualTo(200);
        // Retry-After was rounded up: the entry ends 1 ms early, never after the true instant.
        assertThat(known.lookup(request().countQps(10).command(), T0 + 299 * MS)).isNull();
    }

    @Test
    void aFullWindowIsNotRepeatedToRequestsTheStoreWouldDenyForAnotherReasonOrJudgeByAnotherLimit() {
        known.remember(request().countQps(10).command(), qpsExceeded(500, 3), T0, known.epoch());
        long now = T0 + MS;

        assertThat(known.lookup(request().countQps(20).command(), now)).as("a reload raised the limit").isNull();
        assertThat(known.lookup(request().countQps(10).qps(false).command(), now)).as("not QPS-limited").isNull();
        assertThat(known.lookup(request().countQps(10).templates(TemplateUse.CREATE).command(), now)).isNull();
        assertThat(known.lookup(request().countQps(10).cost(4).command(), now)).as("calls would run out first").isNull();
        assertThat(known.lookup(request().countQps(10).group("video", request().activation()).command(), now)).isNull();
        assertThat(known.lookup(request().countQps(10).key("qg_acme.other").command(), now)).isNull();
        assertThat(known.lookup(request().countQps(10).cost(3).command(), now)).isNotNull();
    }

    @Test
    void exhaustedCallsAreRepeatedForCostsAboveWhatIsLeftUntilAChangeOrTheMaximumAge() {
        known.remember(request().cost(3).command(), exhausted(2), T0, known.epoch());

        assertThat(known.lookup(request().cost(5).command(), T0 + MS).reason()).isEqualTo(Reason.CALLS_EXHAUSTED);
        assertThat(known.lookup(request().cost(2).command(), T0 + MS)).isNull();
        assertThat(known.lookup(request().cost(0).command(), T0 + MS)).isNull();
        assertThat(known.lookup(request().cost(5).command(), T0 + KnownDenials.MAX_AGE_NANOS)).isNull();
    }

    @Test
    void aChangeForTheTenantForgetsItsDenialsAndOnlyItsOwn() {
        known.remember(request().command(), exhausted(0), T0, known.epoch());
        known.remember(request().tenant("beta").key("qg_beta.k").command(), exhausted(0), T0, known.epoch());

        known.changed("acme");

        assertThat(known.lookup(request().command(), T0 + MS)).isNull();
        assertThat(known.lookup(request().tenant("beta").key("qg_beta.k").command(), T0 + MS)).isNotNull();
        known.changed(null);
        assertThat(known.size()).isZero();
    }

    @Test
    void aDenialThatWasOnItsWayWhileAChangeArrivedIsNotKept() {
        long sentAt = known.epoch();
        known.changed("acme"); // e.g. a grant applied after the script ran, heard before its reply
        known.remember(request().command(), exhausted(0), T0, sentAt);
        assertThat(known.lookup(request().command(), T0 + MS)).isNull();
    }

    @Test
    void onlyCountModeWindowAndCallDenialsAreKept() {
        known.remember(request().command(), new Denied(Reason.QPS_EXCEEDED, BillingMode.QPS, 5, 0, 500, -1), T0, 0);
        known.remember(request().key("qg_acme.b").command(), new Denied(Reason.TENANT_SUSPENDED, BillingMode.COUNT, 0, 0, 0, -1), T0, 0);
        known.remember(request().key("qg_acme.c").command(), new Admitted(BillingMode.COUNT, 10, 0, 0, 5, 1), T0, 0);
        assertThat(known.size()).isZero();
    }
}
