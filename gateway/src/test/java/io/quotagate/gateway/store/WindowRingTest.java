package io.quotagate.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link WindowRing} against a plain list model, with limits that rise and fall as a reload would make them. */
class WindowRingTest {

    @Test
    void matchesAListModelWhileTheLimitChanges() {
        Random random = new Random(42);
        WindowRing ring = new WindowRing();
        List<Long> model = new ArrayList<>(); // newest first, trimmed to the limit like the Redis list
        long now = 1_000_000_000L;
        for (int step = 0; step < 20_000; step++) {
            now += random.nextInt(40_000);
            int limit = 1 + (step / 2_000 % 2 == 0 ? random.nextInt(5) : 20 + random.nextInt(300));
            assertThat(ring.inWindow(limit, now)).isEqualTo(modelInWindow(model, limit, now));
            if (random.nextBoolean()) {
                ring.push(now, limit);
                model.add(0, now);
                while (model.size() > limit) {
                    model.remove(model.size() - 1);
                }
            }
            assertThat(ring.size()).isEqualTo(model.size());
            for (int i = 0; i < model.size(); i++) {
                assertThat(ring.entry(i)).isEqualTo(model.get(i));
            }
        }
    }

    @Test
    void countsOnlyTheLastSecondAndAtMostTheLimit() {
        WindowRing ring = new WindowRing();
        for (int i = 0; i < 10; i++) {
            ring.push(1_000_000L + i * 100_000L, 10); // 1.0 s .. 1.9 s
        }
        assertThat(ring.inWindow(10, 1_950_000L)).isEqualTo(10);
        assertThat(ring.inWindow(10, 2_000_000L)).as("the entry at exactly now - 1 s is out").isEqualTo(9);
        assertThat(ring.inWindow(4, 1_950_000L)).isEqualTo(4);
        assertThat(ring.inWindow(10, 3_000_000L)).isZero();
    }

    private static int modelInWindow(List<Long> model, int limit, long now) {
        int count = 0;
        for (long at : model) {
            if (count >= limit || at <= now - 1_000_000L) {
                break;
            }
            count++;
        }
        return count;
    }
}
