package io.quotagate.gateway.store.redis;

import static io.quotagate.gateway.store.StoreFixture.TENANT;
import static io.quotagate.gateway.store.StoreFixture.await;
import static io.quotagate.gateway.store.StoreFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.store.Activation;
import io.quotagate.gateway.store.AdmitResult;
import io.quotagate.gateway.store.StoreFixture;
import io.quotagate.gateway.store.StoreUnavailableException;
import io.quotagate.gateway.testkit.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rule 10 against a Redis that stops answering: Redisson resends a script after its response timeout, so the
 * server may run one admit several times. The request id makes every copy after the first a no-op, and
 * {@code cancel} voids the admits whose callers never learnt the outcome.
 */
class RedisQuotaStoreResendTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();
    private static final int BALANCE = 1000;

    private RedisQuotaStore store;
    private StoreFixture f;

    @BeforeEach
    void start() {
        REDIS.flushAll();
        store = new RedisQuotaStore(RedissonClients.create(
                new RedisConfig(REDIS.uri(), null, null, null, Duration.ofMillis(200), 3)), true);
        f = new StoreFixture(store);
        f.create(new Activation(BALANCE, Duration.ofDays(365).toMillis(), 20), Instant.now());
    }

    @AfterEach
    void stop() {
        REDIS.resume();
        store.close();
    }

    @Test
    void scriptsResentAfterTimeoutsChargeOnceAndCancelVoidsTheUnknownOnes() throws Exception {
        f.admitted(request().qps(false));
        REDIS.command("CONFIG", "RESETSTAT");
        List<StoreFixture.Admit> sent = new ArrayList<>();
        List<CompletableFuture<AdmitResult>> outcomes = new ArrayList<>();

        REDIS.pause();
        send(5, sent, outcomes);
        // These start late enough that their last resend goes out after the server is back.
        Thread.sleep(500);
        send(5, sent, outcomes);
        Thread.sleep(700);
        REDIS.resume();
        CompletableFuture.allOf(outcomes.stream().map(o -> o.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
                .get(20, TimeUnit.SECONDS);
        Thread.sleep(300);

        List<String> admitted = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            Throwable error = outcomes.get(i).handle((r, e) -> e).join();
            if (error == null) {
                assertThat(outcomes.get(i).join()).isInstanceOf(AdmitResult.Admitted.class);
                admitted.add(sent.get(i).id());
            } else {
                assertThat(unwrap(error)).isInstanceOf(StoreUnavailableException.class);
                unknown.add(sent.get(i).id());
            }
        }
        long scriptRuns = RedisStats.calls(REDIS, "evalsha");
        long taken = BALANCE - 1 - f.remaining().get(0);

        // Redis ran more admit scripts than it applied: the resends. Without the request id, each would have charged.
        assertThat(scriptRuns).isGreaterThan(appliedRecords(sent));
        assertThat(admitted).isNotEmpty();
        assertThat(unknown).isNotEmpty();
        // Every request id charged at most once: exactly the applied records, never the resends.
        assertThat(taken).isEqualTo(appliedRecords(sent)).isLessThanOrEqualTo(sent.size());
        // Some admits applied although their caller only saw a timeout (the first batch ran after the resume):
        // these are the charges cancel() must give back.
        assertThat(appliedRecords(sent)).isGreaterThan(admitted.size());

        for (String id : unknown) {
            f.cancel(id);
        }

        assertThat(BALANCE - 1 - f.remaining().get(0)).isEqualTo(admitted.size());
        for (StoreFixture.Admit a : sent) {
            if (unknown.contains(a.id())) {
                f.denied(a, AdmitResult.Reason.CANCELLED);
            }
        }
        assertThat(BALANCE - 1 - f.remaining().get(0)).isEqualTo(admitted.size());
    }

    /**
     * The same with batches of 4 (as the coalescer sends them): a batch's record is written once, under its first
     * request id, so a cancel of any of its requests must find it through the receipt the failure carried.
     */
    @Test
    void batchesResentAfterTimeoutsChargeOnceAndCancelWithTheFailuresReceiptsVoidsEveryRequest() throws Exception {
        f.admitted(request().qps(false));
        List<List<StoreFixture.Admit>> batches = new ArrayList<>();
        List<CompletableFuture<List<AdmitResult>>> outcomes = new ArrayList<>();
        REDIS.pause();
        sendBatches(3, batches, outcomes);
        Thread.sleep(500);
        sendBatches(3, batches, outcomes);
        Thread.sleep(700);
        REDIS.resume();
        CompletableFuture.allOf(outcomes.stream().map(o -> o.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
                .get(20, TimeUnit.SECONDS);
        Thread.sleep(300);

        List<StoreFixture.Admit> admitted = new ArrayList<>();
        List<StoreFixture.Admit> unknown = new ArrayList<>();
        List<String> receipts = new ArrayList<>();
        for (int b = 0; b < batches.size(); b++) {
            Throwable error = outcomes.get(b).handle((r, e) -> e).join();
            for (StoreFixture.Admit a : batches.get(b)) {
                if (error == null) {
                    admitted.add(a);
                } else {
                    unknown.add(a);
                    receipts.add(StoreUnavailableException.receiptOf(error, a.id()));
                }
            }
        }
        assertThat(admitted).isNotEmpty();
        assertThat(unknown).isNotEmpty();
        // Every request of a failed call carries its call's first request id as its receipt.
        for (int i = 0; i < unknown.size(); i++) {
            assertThat(receipts.get(i)).isEqualTo(unknown.get(i - i % 4).id());
        }
        long taken = BALANCE - 1 - f.remaining().get(0);
        // Some batches applied although their caller only saw a timeout: these are what the cancels must give back.
        assertThat(taken).isGreaterThan(admitted.size()).isLessThanOrEqualTo(admitted.size() + unknown.size());

        for (int i = 0; i < unknown.size(); i++) {
            await(store.cancel(TENANT, StoreFixture.GROUP, unknown.get(i).id(), receipts.get(i)));
        }
        assertThat(BALANCE - 1 - f.remaining().get(0)).isEqualTo(admitted.size());
        // A resent batch answers its cancelled requests CANCELLED and charges nothing again.
        for (int b = 0; b < batches.size(); b++) {
            if (unknown.contains(batches.get(b).get(0))) {
                List<AdmitResult> again = await(store.admitAll(batches.get(b).stream().map(StoreFixture.Admit::command).toList()));
                assertThat(again).allSatisfy(r -> assertThat(r).isInstanceOfSatisfying(AdmitResult.Denied.class,
                        d -> assertThat(d.reason()).isEqualTo(AdmitResult.Reason.CANCELLED)));
            }
        }
        // Cancelling again changes nothing.
        for (int i = 0; i < unknown.size(); i++) {
            await(store.cancel(TENANT, StoreFixture.GROUP, unknown.get(i).id(), receipts.get(i)));
        }
        assertThat(BALANCE - 1 - f.remaining().get(0)).isEqualTo(admitted.size());
    }

    private void sendBatches(int n, List<List<StoreFixture.Admit>> batches, List<CompletableFuture<List<AdmitResult>>> outcomes) {
        for (int i = 0; i < n; i++) {
            List<StoreFixture.Admit> batch = List.of(request().qps(false), request().qps(false), request().qps(false),
                    request().qps(false));
            batches.add(batch);
            outcomes.add(store.admitAll(batch.stream().map(StoreFixture.Admit::command).toList()).toCompletableFuture());
        }
    }

    private void send(int n, List<StoreFixture.Admit> sent, List<CompletableFuture<AdmitResult>> outcomes) {
        for (int i = 0; i < n; i++) {
            StoreFixture.Admit a = request().qps(false);
            sent.add(a);
            outcomes.add(store.admit(a.command()).toCompletableFuture());
        }
    }

    private static long appliedRecords(List<StoreFixture.Admit> sent) {
        // Each admit here is a call of its own: its record is its batch's, under its id and '#' (admit.lua).
        return sent.stream().filter(a -> REDIS.command("HGET", RedisKeys.requestBucket(TENANT, a.id()), a.id() + "#") != null)
                .count();
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
