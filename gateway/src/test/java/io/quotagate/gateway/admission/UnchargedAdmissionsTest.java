package io.quotagate.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.store.UnchargedEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** {@link UnchargedAdmissions}: what is counted, when an outage closes, and the entries it leaves to write. */
class UnchargedAdmissionsTest {

    private final UnchargedAdmissions uncharged = new UnchargedAdmissions("r1");

    @Test
    void countsRequestsAndCallsByTenantAndGroupWithTheFirstAndLastTime() {
        uncharged.count("acme", "portrait", 1, 1_000);
        uncharged.count("acme", "portrait", 2, 1_500);
        uncharged.count("acme", "portrait", 0, 1_200); // clock read before the lock: out of order
        uncharged.count("acme", "video", 1, 1_100);
        uncharged.count("globex", "portrait", 1, 1_300);
        assertThat(uncharged.unwritten()).isEqualTo(5);

        List<UnchargedEntry> entries = uncharged.closeAll();

        assertThat(entries).containsExactly(
                new UnchargedEntry("r1.1", "acme", "portrait", 3, 3, Instant.ofEpochMilli(1_000), Instant.ofEpochMilli(1_500), "r1"),
                new UnchargedEntry("r1.1", "acme", "video", 1, 1, Instant.ofEpochMilli(1_100), Instant.ofEpochMilli(1_100), "r1"),
                new UnchargedEntry("r1.1", "globex", "portrait", 1, 1, Instant.ofEpochMilli(1_300), Instant.ofEpochMilli(1_300), "r1"));
        assertThat(entries).allSatisfy(e -> assertThat(e.invalid()).isEmpty());
        assertThat(uncharged.unwritten()).as("closed, not written").isEqualTo(5);
    }

    @Test
    void anOutageClosesOnlyWhenTheStoreAnsweredAndNothingWasCountedForAWholeBeat() {
        uncharged.count("acme", "portrait", 1, 1_000);
        assertThat(uncharged.tick(true)).as("counted since the last beat").isFalse();
        assertThat(uncharged.tick(false)).as("the store did not answer").isFalse();
        uncharged.count("acme", "portrait", 1, 5_000);
        assertThat(uncharged.tick(false)).isFalse();
        assertThat(uncharged.pending()).isEmpty();

        assertThat(uncharged.tick(true)).as("quiet since the last beat, and the store answers").isTrue();
        assertThat(uncharged.pending()).singleElement().satisfies(e -> {
            assertThat(e.id()).isEqualTo("r1.1");
            assertThat(e.requests()).isEqualTo(2);
        });
        assertThat(uncharged.tick(true)).as("nothing open").isFalse();
    }

    @Test
    void eachOutageHasItsOwnSequenceNumberAndEntriesStayPendingUntilDone() {
        uncharged.count("acme", "portrait", 1, 1_000);
        uncharged.tick(false);
        uncharged.tick(true);
        uncharged.count("acme", "portrait", 1, 9_000);
        uncharged.tick(false);
        uncharged.tick(true);

        List<UnchargedEntry> pending = uncharged.pending();
        assertThat(pending).extracting(UnchargedEntry::id).containsExactly("r1.1", "r1.2");
        assertThat(uncharged.done(pending.get(0))).isTrue();
        assertThat(uncharged.done(pending.get(0))).as("once").isFalse();
        assertThat(uncharged.pending()).extracting(UnchargedEntry::id).containsExactly("r1.2");
        assertThat(uncharged.unwritten()).isEqualTo(1);
    }

    @Test
    void aTickWithNothingOpenDoesNotUseUpASequenceNumber() {
        uncharged.tick(true);
        uncharged.tick(true);
        uncharged.count("acme", "portrait", 1, 1_000);
        assertThat(uncharged.closeAll()).extracting(UnchargedEntry::id).containsExactly("r1.1");
    }

    @Test
    void concurrentCountsAreAllKept() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            running.add(pool.submit(() -> {
                for (int n = 0; n < 10_000; n++) {
                    uncharged.count("acme", "portrait", 1, n);
                }
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        pool.shutdown();
        assertThat(uncharged.closeAll()).singleElement().satisfies(e -> {
            assertThat(e.requests()).isEqualTo(40_000);
            assertThat(e.calls()).isEqualTo(40_000);
            assertThat(e.first()).isEqualTo(Instant.ofEpochMilli(0));
            assertThat(e.last()).isEqualTo(Instant.ofEpochMilli(9_999));
        });
    }
}
