package io.quotagate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.Replica;
import io.quotagate.gateway.e2e.GatewayHttp.Reply;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RedisMonitor;
import io.quotagate.gateway.testkit.RedisServerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Redis that stops answering (SIGSTOP) under a real gateway with {@code timeout: 200ms, retry_attempts: 2}:
 * rule 10 end to end (scripts resent by Redisson and admits whose outcome the gateway never learnt charge exactly
 * the requests the upstream received) and SPEC §3's {@code quota_store_unavailable} (503 with {@code Retry-After},
 * answered in well under a second and a half, never charged).
 */
class StoreOutageE2eTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    /** Past 3 attempts of 200 ms and 2 resend delays of 50 ms, with margin. */
    private static final Duration OUTAGE = Duration.ofMillis(1500);

    @TempDir
    static Path dir;

    private static RecordingUpstream upstream;
    private static Accounts accounts;
    private static Replicas replicas;
    private static Replica gateway;
    private final GatewayHttp http = new GatewayHttp();

    @BeforeAll
    static void start() {
        upstream = RecordingUpstream.start();
        accounts = new Accounts(REDIS.uri());
        Path file = E2eConfig.of(upstream.url().toString(), REDIS.uri())
                .redisTimeout(Duration.ofMillis(200), 2)
                .countModeQps("resend", 100_000) // neither the QPS limit nor the balance may end the run: only 200 or 503
                .writeTo(dir.resolve("quotagate.yaml"));
        replicas = new Replicas();
        gateway = replicas.start(file);
    }

    @AfterEach
    void resume() {
        REDIS.resume();
    }

    @AfterAll
    static void stop() {
        replicas.close();
        accounts.close();
        upstream.close();
    }

    @Test
    void chargesEqualWhatTheUpstreamReceivedAcrossAStoreFreeze() throws Exception {
        int balanceBefore = 1_000_000;
        String key = accounts.create("resend", balanceBefore, 20);
        Queue<Reply> replies = new ConcurrentLinkedQueue<>();
        RedisMonitor monitor = REDIS.monitor();
        ExecutorService clients = Executors.newFixedThreadPool(6);
        long end = System.nanoTime() + Duration.ofMillis(500 + OUTAGE.toMillis() + 700).toNanos();
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            running.add(clients.submit(() -> {
                while (System.nanoTime() < end) {
                    replies.add(http.generate(gateway.port(), key));
                }
                return null;
            }));
        }
        Thread.sleep(500); // traffic flows before the freeze and after it
        REDIS.pause();
        Thread.sleep(OUTAGE.toMillis());
        REDIS.resume();
        for (Future<?> f : running) {
            f.get(30, TimeUnit.SECONDS);
        }
        clients.shutdown();
        monitor.close();

        // Admit scripts as Redis received them (EVALSHA, or EVAL after NOSCRIPT): the only script with the window list
        // among its keys. A call carries the ids of the requests it decides as arguments (RequestIds: base-36
        // "<replica>-<counter>"; keys, digests and the group name never look like that).
        Pattern requestId = Pattern.compile("\"([0-9a-z]{6,}-[0-9a-z]+)\"");
        List<String> admitIds = monitor.lines().stream()
                .filter(l -> !l.contains(" lua] ") && l.contains("\"qg:{resend}:g:portrait:w\""))
                .flatMap(l -> requestId.matcher(l).results().map(m -> m.group(1))).toList();
        long resent = admitIds.size() - admitIds.stream().distinct().count();
        Map<Integer, Long> statuses = replies.stream().collect(Collectors.groupingBy(Reply::status, Collectors.counting()));
        long ok = statuses.getOrDefault(200, 0L);
        long unavailable = statuses.getOrDefault(503, 0L);
        int forwarded = tenantRequests("resend");
        // The cancels of the 503s run in the background (with backoff while Redis was frozen): wait for them.
        Poll.until("calls charged once the cancels settled", Duration.ofSeconds(15),
                () -> balanceBefore - accounts.balance("resend"), (long) forwarded);
        Poll.stays("calls charged", Duration.ofSeconds(1), () -> balanceBefore - accounts.balance("resend"), (long) forwarded);
        long balanceAfter = accounts.balance("resend");
        System.out.printf("[e2e resend] %d requests across a %d ms freeze: %d got 200, %d got 503; upstream received %d; "
                        + "Redis received %d admit scripts for %d request ids (%d resends); balance %d -> %d (charged %d)%n",
                replies.size(), OUTAGE.toMillis(), ok, unavailable, forwarded, admitIds.size(),
                admitIds.size() - resent, resent, balanceBefore, balanceAfter, balanceBefore - balanceAfter);

        assertThat(statuses.keySet()).containsOnly(200, 503);
        assertThat(unavailable).isPositive();
        // Redisson did resend scripts during the freeze: without the request id, each resend would have charged.
        assertThat(resent).isPositive();
        // Not every admit reaches Redis (Redisson may not write on a connection it is re-establishing), never more.
        assertThat(admitIds.stream().distinct().count()).isLessThanOrEqualTo(replies.size());
        assertThat(ok).isEqualTo(forwarded).isPositive();
        assertThat(balanceBefore - balanceAfter).isEqualTo(forwarded);
        assertThat(replies).filteredOn(r -> r.status() == 503).allSatisfy(r -> {
            assertThat(r.errorCode()).isEqualTo("quota_store_unavailable");
            assertThat(r.header("Retry-After")).isEqualTo("1");
        });
    }

    @Test
    void aFrozenStoreIsAnsweredQuicklyWith503AndNothingIsCharged() throws Exception {
        String key = accounts.create("frozen", 50, 20);
        long before = accounts.balance("frozen");

        REDIS.pause();
        long started = System.nanoTime();
        Reply reply = http.generate(gateway.port(), key);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        Reply viaHeader = http.send(gateway.port(), "POST", "/v1/portrait/generate", "X-Api-Key", key);
        REDIS.resume();
        System.out.printf("[e2e store down] 503 after %d ms (timeout 200 ms, 2 resends)%n", tookMs);

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.errorCode()).isEqualTo("quota_store_unavailable");
        assertThat(reply.json().path("error").path("message").asText()).isNotEmpty();
        assertThat(reply.header("Retry-After")).isEqualTo("1");
        assertThat(tookMs).isLessThan(1500);
        assertThat(viaHeader.status()).isEqualTo(503);
        // The admits may run once Redis wakes up (a transient charge); their cancels give back whatever they took.
        Poll.until("balance after the outage", Duration.ofSeconds(10), () -> accounts.balance("frozen"), before);
        Poll.stays("balance after the outage", Duration.ofSeconds(1), () -> accounts.balance("frozen"), before);
        assertThat(tenantRequests("frozen")).isZero();
    }

    private static int tenantRequests(String tenant) {
        return (int) upstream.requests().stream().filter(r -> tenant.equals(r.header("X-Tenant-Id"))).count();
    }
}
