package io.quotagate.gateway.store.redis;

import static io.quotagate.gateway.store.StoreFixture.GROUP;
import static io.quotagate.gateway.store.StoreFixture.TENANT;
import static io.quotagate.gateway.store.StoreFixture.await;
import static io.quotagate.gateway.store.StoreFixture.ok;
import static io.quotagate.gateway.store.StoreFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.store.Activation;
import io.quotagate.gateway.store.AdmitResult;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.QuotaStoreContract;
import io.quotagate.gateway.store.StoreFixture;
import io.quotagate.gateway.store.TenantView;
import io.quotagate.gateway.testkit.RedisMonitor;
import io.quotagate.gateway.testkit.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store contract on {@link RedisQuotaStore} against a real Redis, plus what only Redis has: durability across
 * store instances, several clients on one server, one round trip per admission, resends after timeouts.
 */
class RedisQuotaStoreTest extends QuotaStoreContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private final List<QuotaStore> opened = new ArrayList<>();

    @Override
    protected QuotaStore newStore() {
        REDIS.flushAll();
        return open(Duration.ofSeconds(3), 3);
    }

    @Override
    protected Instant now() {
        List<?> time = (List<?>) REDIS.command("TIME");
        return Instant.ofEpochSecond(Long.parseLong((String) time.get(0)), Long.parseLong((String) time.get(1)) * 1000);
    }

    @Override
    protected void advance(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void closeStores() {
        opened.forEach(QuotaStore::close);
    }

    RedisQuotaStore open(Duration timeout, int retries) {
        RedisConfig config = new RedisConfig(REDIS.uri(), null, null, null, timeout, retries);
        RedisQuotaStore s = new RedisQuotaStore(RedissonClients.create(config), true);
        opened.add(s);
        return s;
    }

    @Test
    void aNewStoreInstanceOnTheSameRedisSeesEverything() {
        f.create(StoreFixture.DEFAULT, now());
        ok(await(store.setMode(TENANT, GROUP, BillingMode.QPS)));
        ok(await(store.setMode(TENANT, GROUP, BillingMode.COUNT)));
        StoreFixture.Admit a = request().cost(7);
        AdmitResult first = f.admitted(a);
        TenantView before = await(store.tenant(TENANT)).orElseThrow();
        store.close();
        opened.remove(store);

        QuotaStore other = open(Duration.ofSeconds(3), 3);
        StoreFixture g = new StoreFixture(other);

        assertThat(await(other.tenant(TENANT))).contains(before);
        assertThat(g.ledgerKinds()).containsExactly("tenant_created", "key_created", "group_activated", "mode_set", "mode_set");
        assertThat(g.admit(a)).isEqualTo(first);
        assertThat(g.remaining()).containsExactly(193L);
        assertThat(await(other.tenantIds())).containsExactly(TENANT);
    }

    @Test
    void twoClientsOnOneRedisShareOneBalanceExactly() throws Exception {
        f.create(new Activation(100, Duration.ofDays(365).toMillis(), 20), now());
        QuotaStore second = open(Duration.ofSeconds(3), 3);

        List<AdmitResult> results = hammer(List.of(store, second), 16, 1000);

        assertThat(results.stream().filter(r -> r instanceof AdmitResult.Admitted)).hasSize(100);
        assertThat(f.remaining()).containsExactly(0L);
    }

    @Test
    void twoClientsUnderSustainedLoadShareOneSlidingWindow() throws Exception {
        f.create(StoreFixture.DEFAULT, now());
        List<QuotaStore> stores = List.of(store, open(Duration.ofSeconds(3), 3));
        java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger denied = new java.util.concurrent.atomic.AtomicInteger();
        long end = System.nanoTime() + Duration.ofMillis(1300).toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            QuotaStore s = stores.get(i % 2);
            Thread t = new Thread(() -> {
                while (System.nanoTime() < end) {
                    AdmitResult r = await(s.admit(request().cost(0).countQps(10).command()));
                    (r instanceof AdmitResult.Admitted ? admitted : denied).incrementAndGet();
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }

        // 1.3 s of load spans at most two disjoint 1000 ms windows' worth of admissions, and at least one full one.
        assertThat(admitted.get()).isBetween(11, 20);
        assertThat(denied.get()).isPositive();
    }

    @Test
    void everyAdmissionIsExactlyOneScriptCall() throws Exception {
        f.create(StoreFixture.DEFAULT, now());
        f.admitted(request());

        RedisMonitor monitor = REDIS.monitor();
        for (int i = 0; i < 50; i++) {
            f.admitted(request());
        }
        f.denied(request().key("qg_acme.bad"), AdmitResult.Reason.INVALID_API_KEY);
        monitor.close();
        List<String> sent = monitor.clientCommands();

        assertThat(sent).hasSize(51).containsOnly("EVALSHA");
    }

    @Test
    void aBatchOfOneTenantAndGroupIsOneScriptCallWhateverItsSize() {
        f.create(StoreFixture.DEFAULT, now());
        List<StoreFixture.Admit> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(request().countQps(1000));
        }
        REDIS.command("CONFIG", "RESETSTAT");
        assertThat(f.admitAll(batch)).allSatisfy(r -> assertThat(r).isInstanceOf(AdmitResult.Admitted.class));
        assertThat(RedisStats.calls(REDIS, "evalsha")).isEqualTo(1);
        assertThat(f.remaining()).containsExactly(100L);
    }

    @Test
    void aNewStoreLoadsItsScriptsBeforeItsFirstCall() throws Exception {
        f.create(StoreFixture.DEFAULT, now());
        REDIS.command("SCRIPT", "FLUSH");
        RedisQuotaStore fresh = open(Duration.ofSeconds(3), 3);
        String admitSha = RedisScripts.shaOf(RedisScripts.Script.ADMIT);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!"1".equals(String.valueOf(((List<?>) REDIS.command("SCRIPT", "EXISTS", admitSha)).get(0)))) {
            assertThat(System.nanoTime()).as("admit.lua loaded in time").isLessThan(deadline);
            Thread.sleep(10);
        }
        REDIS.command("CONFIG", "RESETSTAT");
        assertThat(await(fresh.admit(request().command()))).isInstanceOf(AdmitResult.Admitted.class);
        assertThat(RedisStats.calls(REDIS, "eval")).isZero();
        assertThat(RedisStats.failedCalls(REDIS, "evalsha")).isZero();
    }

    @Test
    void aFlushedScriptCacheFallsBackToEvalOnce() {
        f.create(StoreFixture.DEFAULT, now());
        f.admitted(request());
        REDIS.command("SCRIPT", "FLUSH");
        REDIS.command("CONFIG", "RESETSTAT");

        f.admitted(request());
        f.admitted(request());

        // The first call after the flush: EVALSHA answered NOSCRIPT (counted as a failed call), then one EVAL, which
        // caches the script again; the second call is a plain EVALSHA.
        assertThat(RedisStats.calls(REDIS, "eval")).isEqualTo(1);
        assertThat(RedisStats.calls(REDIS, "evalsha")).isEqualTo(2);
        assertThat(RedisStats.failedCalls(REDIS, "evalsha")).isEqualTo(1);
        assertThat(f.remaining()).containsExactly(197L);
    }

    /**
     * A batch's record lives the retention the admit asked for; a refund (common: every failed upstream call) must not
     * stretch its bucket, which holds ~1,296 requests' batches, to the 24 h a cancel's mark needs.
     */
    @Test
    void aBatchRecordLivesItsRetentionAndARefundDoesNotStretchItButACancelDoes() {
        f.create(StoreFixture.DEFAULT, now());
        StoreFixture.Admit first = request();
        StoreFixture.Admit second = request();
        List<AdmitResult> results = f.admitAll(List.of(first, second));
        String receipt = ((AdmitResult.Admitted) results.get(1)).receipt();
        assertThat(receipt).isEqualTo(first.id());
        String bucket = RedisKeys.requestBucket(TENANT, receipt);
        assertThat(REDIS.command("HEXISTS", bucket, receipt + "#")).isEqualTo(1L);
        assertThat((Long) REDIS.command("PTTL", bucket)).isBetween(1L, StoreFixture.RETENTION);

        f.settle(second.id(), true, false);
        assertThat(f.remaining()).containsExactly(199L);
        assertThat((Long) REDIS.command("PTTL", bucket)).isBetween(1L, StoreFixture.RETENTION);

        f.cancel(first.id());
        assertThat(f.remaining()).containsExactly(200L);
        assertThat((Long) REDIS.command("PTTL", bucket)).isGreaterThan(StoreFixture.RETENTION);
    }

    @Test
    void everyKeyCarriesTheTenantHashTagAndBadRequestsCreateNone() {
        f.create(StoreFixture.DEFAULT, now());
        f.grant(10, now(), now().plus(Duration.ofDays(1)), "o-1");
        f.admitted(request());
        f.denied(request().tenant("ghost"), AdmitResult.Reason.INVALID_API_KEY);
        f.denied(request().key("qg_acme.bad"), AdmitResult.Reason.INVALID_API_KEY);
        f.cancel("never-admitted");
        await(store.cancel("ghost", GROUP, "x"));

        List<String> keys = ((List<?>) REDIS.command("KEYS", "*")).stream().map(String::valueOf).toList();

        assertThat(keys).contains("qg:tenants");
        assertThat(keys.stream().filter(k -> !k.equals("qg:tenants")))
                .isNotEmpty().allMatch(k -> k.startsWith("qg:{acme}:"));
        assertThat(keys).noneMatch(k -> k.contains("ghost"));
    }

    @Test
    void theClientCanRunOnTheGatewaysOwnEventLoops() throws Exception {
        MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            RedisConfig config = new RedisConfig(REDIS.uri(), null, null, null, Duration.ofSeconds(3), 1);
            RedisQuotaStore shared = new RedisQuotaStore(RedissonClients.create(config, new RedissonClients.SharedLoops(loops, false)), true);
            StoreFixture g = new StoreFixture(shared);
            g.create(StoreFixture.DEFAULT, now());
            assertThat(g.admitted(request()).callsRemaining()).isEqualTo(199);
            shared.close();
            assertThat(loops.isShuttingDown()).isFalse();
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void changesThatCanTurnADenialIntoAnAdmissionAreAnnouncedToEveryStoreOnTheServer() throws Exception {
        f.create(StoreFixture.DEFAULT, now());
        RedisQuotaStore other = open(Duration.ofSeconds(3), 3);
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        assertThat(other.subscribeToChanges(t -> heard.add(t == null ? "<any>" : t))).isTrue();
        // The (re)subscription itself says "anything may have been missed".
        assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("<any>");

        f.grant(10, now().minusSeconds(1), now().plus(Duration.ofDays(30)), "o-1");
        assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo(TENANT);
        StoreFixture.Admit a = request().cost(2);
        f.admitted(a);
        f.settle(a.id(), true, false);
        assertThat(heard.poll(5, TimeUnit.SECONDS)).as("a refund").isEqualTo(TENANT);
        ok(await(store.setMode(TENANT, GROUP, BillingMode.QPS)));
        assertThat(heard.poll(5, TimeUnit.SECONDS)).as("a mode change").isEqualTo(TENANT);
        ok(await(store.setStatus(TENANT, TenantView.Status.SUSPENDED)));
        assertThat(heard.poll(5, TimeUnit.SECONDS)).as("a status change").isEqualTo(TENANT);

        // Admissions and settlements that give nothing back announce nothing.
        ok(await(store.setStatus(TENANT, TenantView.Status.ACTIVE)));
        assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo(TENANT);
        ok(await(store.setMode(TENANT, GROUP, BillingMode.COUNT)));
        assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo(TENANT);
        StoreFixture.Admit b = request().cost(1);
        f.admitted(b);
        f.settle(b.id(), false, true);
        assertThat(heard.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }
}
