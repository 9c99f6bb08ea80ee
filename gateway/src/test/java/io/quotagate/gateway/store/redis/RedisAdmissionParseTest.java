package io.quotagate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quotagate.gateway.store.AdmitResult;
import io.quotagate.gateway.store.AdmitResult.Admitted;
import io.quotagate.gateway.store.AdmitResult.Denied;
import io.quotagate.gateway.store.AdmitResult.Reason;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The admit reply's runs, expanded into one answer per request ({@code admit.lua}'s {@code emit}). */
class RedisAdmissionParseTest {

    @Test
    void runsExpandIntoOneAnswerPerRequestWithTheirSteps() {
        List<Object> reply = new ArrayList<>();
        // 3 admitted from the free lot: window 9, 8, 7 left, calls 20, 19, 18
        reply.addAll(List.of(3L, "A", "count", 10L, 9L, 1000L, 20L, 1L, 1L, 1L, 1L));
        // 1 invalid key (as Redis returns strings for some values)
        reply.addAll(List.of(1L, "INVALID_API_KEY", "count", "0", "0", "0", "-1", "-1", "0", "0", "0"));
        // 2 over the window, the same answer twice
        reply.addAll(List.of(2L, "QPS_EXCEEDED", "count", 10L, 0L, 250L, 18L, -1L, 0L, 0L, 0L));

        List<AdmitResult> r = RedisAdmission.parse(reply, 6, "rq-1");

        assertThat(r.subList(0, 3)).containsExactly(
                new Admitted(BillingMode.COUNT, 10, 9, 1000, 20, 1, 1, "rq-1"),
                new Admitted(BillingMode.COUNT, 10, 8, 1000, 19, 1, 1, "rq-1"),
                new Admitted(BillingMode.COUNT, 10, 7, 1000, 18, 1, 1, "rq-1"));
        assertThat(r.get(3)).isEqualTo(new Denied(Reason.INVALID_API_KEY, BillingMode.COUNT, 0, 0, 0, -1));
        assertThat(r.subList(4, 6)).containsOnly(new Denied(Reason.QPS_EXCEEDED, BillingMode.COUNT, 10, 0, 250, 18));
    }

    @Test
    void aReplyThatDoesNotCoverEveryRequestExactlyIsAStoreFailure() {
        List<Object> one = List.of(2L, "A", "qps", 5L, 4L, 1000L, -1L, 0L, 0L, 1L, 0L);
        assertThatThrownBy(() -> RedisAdmission.parse(one, 3, "rq-1")).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("2 answers for 3 requests");
        assertThatThrownBy(() -> RedisAdmission.parse(one, 1, "rq-1")).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("a run of 2");
        assertThatThrownBy(() -> RedisAdmission.parse(one.subList(0, 8), 2, "rq-1")).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("8 values");
        List<Object> empty = List.of(0L, "A", "qps", 5L, 4L, 1000L, -1L, 0L, 0L, 1L, 0L);
        assertThatThrownBy(() -> RedisAdmission.parse(empty, 1, "rq-1")).isInstanceOf(StoreUnavailableException.class);
    }
}
