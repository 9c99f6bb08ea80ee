package io.quotagate.gateway.admission;

import static io.quotagate.gateway.store.StoreFixture.DEFAULT;
import static io.quotagate.gateway.store.StoreFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.store.AdmitCommand;
import io.quotagate.gateway.store.AdmitResult;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.KeyInfo;
import io.quotagate.gateway.store.LedgerEntry;
import io.quotagate.gateway.store.Lot;
import io.quotagate.gateway.store.MemoryQuotaStore;
import io.quotagate.gateway.store.OpResult;
import io.quotagate.gateway.store.QpsPurchase;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.SettleCommand;
import io.quotagate.gateway.store.StoreFixture;
import io.quotagate.gateway.store.StoreUnavailableException;
import io.quotagate.gateway.store.TemplateQuota;
import io.quotagate.gateway.store.TenantOps;
import io.quotagate.gateway.store.TenantView;
import io.quotagate.gateway.store.UsageDay;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /** The memory store, recording every admitAll it gets and answering only when the test releases it. */
    private static final class HeldStore implements QuotaStore {
        final MemoryQuotaStore store = new MemoryQuotaStore(InstantSource.system());
        final List<List<AdmitCommand>> calls = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Void>> gates = new CopyOnWriteArrayList<>();
        volatile boolean hold;

        @Override
        public CompletionStage<List<AdmitResult>> admitAll(List<AdmitCommand> commands) {
            calls.add(commands);
            if (!hold) {
                return store.admitAll(commands);
            }
            CompletableFuture<Void> gate = new CompletableFuture<>();
            gates.add(gate);
            // released from the test thread, so the reply arrives off the loop, as Redis replies may
            return gate.thenCompose(open -> store.admitAll(commands));
        }

        @Override
        public CompletionStage<AdmitResult> admit(AdmitCommand command) {
            return store.admit(command);
        }

        // The rest of the interface is the memory store's.
        @Override public CompletionStage<Void> settle(SettleCommand c) { return store.settle(c); }
        @Override public CompletionStage<Void> cancel(String t, String g, String r) { return store.cancel(t, g, r); }
        @Override public CompletionStage<OpResult<TenantView>> createTenant(TenantOps.CreateTenant c) { return store.createTenant(c); }
        @Override public CompletionStage<OpResult<TenantView>> setStatus(String t, TenantView.Status s) { return store.setStatus(t, s); }
        @Override public CompletionStage<OpResult<TenantView>> setMode(String t, String g, BillingMode m) { return store.setMode(t, g, m); }
        @Override public CompletionStage<OpResult<KeyInfo>> addKey(String t, KeyInfo k) { return store.addKey(t, k); }
        @Override public CompletionStage<OpResult<KeyInfo>> revokeKey(String t, String k) { return store.revokeKey(t, k); }
        @Override public CompletionStage<OpResult<List<KeyInfo>>> keys(String t) { return store.keys(t); }
        @Override public CompletionStage<OpResult<Lot>> grantPack(TenantOps.GrantPack c) { return store.grantPack(c); }
        @Override public CompletionStage<OpResult<QpsPurchase>> buyQps(TenantOps.BuyQps c) { return store.buyQps(c); }
        @Override public CompletionStage<OpResult<TemplateQuota>> grantTemplates(TenantOps.GrantTemplates c) { return store.grantTemplates(c); }
        @Override public CompletionStage<Optional<TenantView>> tenant(String t) { return store.tenant(t); }
        @Override public CompletionStage<List<String>> tenantIds() { return store.tenantIds(); }
        @Override public CompletionStage<OpResult<List<LedgerEntry>>> ledger(String t) { return store.ledger(t); }
        @Override public CompletionStage<OpResult<List<UsageDay>>> usage(String t, String g, LocalDate f, LocalDate to) { return store.usage(t, g, f, to); }
        @Override public void close() { }
    }

    private final HeldStore store = new HeldStore();
    private ExecutorService loop;

    @BeforeEach
    void start() {
        loop = Executors.newSingleThreadExecutor();
        new StoreFixture(store).create(DEFAULT, Instant.now());
        StoreFixture.await(store.createTenant(new TenantOps.CreateTenant("beta", "Beta", Map.of(StoreFixture.GROUP, DEFAULT),
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
                coalescer.set(new AdmitCoalescer(loop, store, maxInFlight, AdmitCoalescer.Observer.NONE));
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
        assertThat(store.calls).hasSize(2);
        assertThat(store.calls.get(0)).containsExactly(batch.get(0), batch.get(1), batch.get(3), batch.get(4));
        assertThat(store.calls.get(1)).containsExactly(batch.get(2), batch.get(5));
        assertThat(((AdmitResult.Admitted) results.get(4).get()).callsRemaining()).isEqualTo(196);
    }

    @Test
    void atTheBoundFurtherAdmitsWaitAndLeaveTogetherWhenACallReturns() throws Exception {
        store.hold = true;
        AtomicReference<AdmitCoalescer> coalescer = new AtomicReference<>();
        List<CompletableFuture<AdmitResult>> first = onePass(coalescer, 1, List.of(request().command()));
        waitFor(() -> store.calls.size() == 1);
        List<CompletableFuture<AdmitResult>> waiting = new ArrayList<>();
        for (int pass = 0; pass < 3; pass++) {
            waiting.addAll(onePass(coalescer, 1, List.of(request().command(), request().tenant("beta").key("qg_beta.key").command())));
        }
        Thread.sleep(100);
        assertThat(store.calls).as("nothing else leaves while the one call allowed is out").hasSize(1);
        assertThat(waiting).noneMatch(CompletableFuture::isDone);

        store.gates.get(0).complete(null);
        assertThat(first.get(0).get(5, TimeUnit.SECONDS)).isInstanceOf(AdmitResult.Admitted.class);
        // The six waiting admits leave as one call for acme; beta's waits for that one to return.
        waitFor(() -> store.calls.size() == 2);
        assertThat(store.calls.get(1)).hasSize(3);
        store.gates.get(1).complete(null);
        waitFor(() -> store.calls.size() == 3);
        assertThat(store.calls.get(2)).hasSize(3);
        store.gates.get(2).complete(null);
        for (CompletableFuture<AdmitResult> r : waiting) {
            assertThat(r.get(5, TimeUnit.SECONDS)).isInstanceOf(AdmitResult.Admitted.class);
        }
    }

    @Test
    void aFailedCallFailsEachOfItsAdmitsAndTheNextPassStillLeaves() throws Exception {
        store.hold = true;
        AtomicReference<AdmitCoalescer> coalescer = new AtomicReference<>();
        List<CompletableFuture<AdmitResult>> failed = onePass(coalescer, 4, List.of(request().command(), request().command()));
        waitFor(() -> store.gates.size() == 1);
        store.gates.get(0).completeExceptionally(new StoreUnavailableException("timed out", null));
        for (CompletableFuture<AdmitResult> r : failed) {
            assertThat(r).failsWithin(5, TimeUnit.SECONDS);
        }
        store.hold = false;
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
