package io.quotagate.gateway.admission;

import static io.quotagate.gateway.store.StoreFixture.DEFAULT;
import static io.quotagate.gateway.store.StoreFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.store.AdmitCommand;
import io.quotagate.gateway.store.AdmitResult;
import io.quotagate.gateway.store.KeyInfo;
import io.quotagate.gateway.store.MemoryQuotaStore;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.StoreFixture;
import io.quotagate.gateway.store.StoreUnavailableException;
import io.quotagate.gateway.store.TenantOps;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AdmitCoalescer} on a real single-threaded executor standing in for an event loop, in front of a real
 * memory store: what one pass submits leaves as one call per tenant and group, and no more than the bound of calls
 * is ever out.
 */
class AdmitCoalescerTest {

    /**
     * The memory store, recording every admitAll it gets and answering only when the test releases it; every other
     * call goes straight to the memory store.
     */
    private static final class HeldStore {
        final MemoryQuotaStore memory = new MemoryQuotaStore(InstantSource.system());
        final List<List<AdmitCommand>> calls = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Void>> gates = new CopyOnWriteArrayList<>();
        volatile boolean hold;
        final QuotaStore store = (QuotaStore) Proxy.newProxyInstance(QuotaStore.class.getClassLoader(),
                new Class<?>[] {QuotaStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("admitAll")) {
                        @SuppressWarnings("unchecked")
                        List<AdmitCommand> commands = (List<AdmitCommand>) args[0];
                        return admitAll(commands);
                    }
                    try {
                        return method.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });

        CompletionStage<List<AdmitResult>> admitAll(List<AdmitCommand> commands) {
            calls.add(commands);
            if (!hold) {
                return memory.admitAll(commands);
            }
            CompletableFuture<Void> gate = new CompletableFuture<>();
            gates.add(gate);
            // released from the test thread, so the reply arrives off the loop, as Redis replies may
            return gate.thenCompose(open -> memory.admitAll(commands));
        }
    }

    private final HeldStore held = new HeldStore();
    private ExecutorService loop;

    @BeforeEach
    void start() {
        loop = Executors.newSingleThreadExecutor();
        new StoreFixture(held.store).create(DEFAULT, Instant.now());
        StoreFixture.await(held.store.createTenant(new TenantOps.CreateTenant("beta", "Beta", Map.of(StoreFixture.GROUP, DEFAULT),
                new KeyInfo("k1", StoreFixture.digest("qg_beta.key"), null, null), Instant.now())));
    }

    @AfterEach
    void stop() {
        loop.shutdownNow();
    }

    /** Creates the coalescer on the loop and submits {@code batch} in one task (one pass of the loop). */
    private List<CompletableFuture<AdmitResult>> onePass(AtomicReference<AdmitCoalescer> coalescer, int maxInFlight,
                                                        List<AdmitCommand> batch) throws Exception {
        return loop.submit(() -> {
            if (coalescer.get() == null) {
                coalescer.set(new AdmitCoalescer(loop, held.store, maxInFlight, AdmitCoalescer.Observer.NONE));
            }
            List<CompletableFuture<AdmitResult>> results = new ArrayList<>();
            for (AdmitCommand c : batch) {
                results.add(coalescer.get().admit(c));
            }
            return results;
        }).get(5, TimeUnit.SECONDS);
    }

    @Test
    void onePassLeavesAsOneCallPerTenantAndGroupInArrivalOrder() throws Exception {
        List<AdmitCommand> batch = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            batch.add(i % 3 == 2 ? request().tenant("beta").key("qg_beta.key").command() : request().command());
        }
        List<CompletableFuture<AdmitResult>> results = onePass(new AtomicReference<>(), 8, batch);

        for (CompletableFuture<AdmitResult> r : results) {
            assertThat(r.get(5, TimeUnit.SECONDS)).isInstanceOf(AdmitResult.Admitted.class);
        }
        assertThat(held.calls).hasSize(2);
        assertThat(held.calls.get(0)).containsExactly(batch.get(0), batch.get(1), batch.get(3), batch.get(4));
        assertThat(held.calls.get(1)).containsExactly(batch.get(2), batch.get(5));
        assertThat(((AdmitResult.Admitted) results.get(4).get()).callsRemaining()).isEqualTo(196);
    }

    @Test
    void atTheBoundFurtherAdmitsWaitAndLeaveTogetherWhenACallReturns() throws Exception {
        held.hold = true;
        AtomicReference<AdmitCoalescer> coalescer = new AtomicReference<>();
        List<CompletableFuture<AdmitResult>> first = onePass(coalescer, 1, List.of(request().command()));
        waitFor(() -> held.calls.size() == 1);
        List<CompletableFuture<AdmitResult>> waiting = new ArrayList<>();
        for (int pass = 0; pass < 3; pass++) {
            waiting.addAll(onePass(coalescer, 1, List.of(request().command(), request().tenant("beta").key("qg_beta.key").command())));
        }
        Thread.sleep(100);
        assertThat(held.calls).as("nothing else leaves while the one call allowed is out").hasSize(1);
        assertThat(waiting).noneMatch(CompletableFuture::isDone);

        held.gates.get(0).complete(null);
        assertThat(first.get(0).get(5, TimeUnit.SECONDS)).isInstanceOf(AdmitResult.Admitted.class);
        // The six waiting admits leave as one call for acme; beta's waits for that one to return.
        waitFor(() -> held.calls.size() == 2);
        assertThat(held.calls.get(1)).hasSize(3);
        held.gates.get(1).complete(null);
        waitFor(() -> held.calls.size() == 3);
        assertThat(held.calls.get(2)).hasSize(3);
        held.gates.get(2).complete(null);
        for (CompletableFuture<AdmitResult> r : waiting) {
            assertThat(r.get(5, TimeUnit.SECONDS)).isInstanceOf(AdmitResult.Admitted.class);
        }
    }

    @Test
    void aFailedCallFailsEachOfItsAdmitsAndTheNextPassStillLeaves() throws Exception {
        held.hold = true;
        AtomicReference<AdmitCoalescer> coalescer = new AtomicReference<>();
        List<CompletableFuture<AdmitResult>> failed = onePass(coalescer, 4, List.of(request().command(), request().command()));
        waitFor(() -> held.gates.size() == 1);
        held.gates.get(0).completeExceptionally(new StoreUnavailableException("timed out", null));
        for (CompletableFuture<AdmitResult> r : failed) {
            assertThat(r).failsWithin(5, TimeUnit.SECONDS);
        }
        held.hold = false;
        assertThat(onePass(coalescer, 4, List.of(request().command())).get(0).get(5, TimeUnit.SECONDS))
                .isInstanceOf(AdmitResult.Admitted.class);
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in time").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
