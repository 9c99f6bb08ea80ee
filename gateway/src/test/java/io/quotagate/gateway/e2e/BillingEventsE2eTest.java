package io.quotagate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.Replica;
import io.quotagate.gateway.events.WebhookSignature;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RedisServerExtension;
import io.quotagate.gateway.testkit.WebhookReceiver;
import io.quotagate.gateway.testkit.WebhookReceiver.Delivery;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real replicas on one real Redis, real traffic through both, a real webhook receiver: each threshold crossed
 * is one event, delivered once, whichever replica charged the crossing call and whichever delivered it.
 */
class BillingEventsE2eTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final String SECRET = "whsec-e2e-0123456789";

    @TempDir
    static Path dir;

    private static RecordingUpstream upstream;
    private static WebhookReceiver receiver;
    private static Accounts accounts;
    private static Replicas replicas;
    private static Replica first;
    private static Replica second;
    private final GatewayHttp http = new GatewayHttp();

    @BeforeAll
    static void start() {
        upstream = RecordingUpstream.start();
        receiver = WebhookReceiver.start();
        accounts = new Accounts(REDIS.uri());
        Path file = E2eConfig.of(upstream.url().toString(), REDIS.uri())
                .redisTimeout(Duration.ofSeconds(3), 2)
                .countModeQps(1000)
                .events(receiver.url().toString(), SECRET, "5")
                .writeTo(dir.resolve("quotagate.yaml"));
        replicas = new Replicas();
        first = replicas.start(file);
        second = replicas.start(file);
    }

    @AfterAll
    static void stop() {
        replicas.close();
        accounts.close();
        receiver.close();
        upstream.close();
    }

    @Test
    void thresholdsCrossedByRealTrafficOnTwoReplicasAreOneEventEach() throws Exception {
        String key = accounts.create("crosser", 20, 20);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> calls = IntStream.range(0, 30).mapToObj(i -> clients.submit(() ->
                    http.generate((i % 2 == 0 ? first : second).port(), key).status())).toList();
            Map<Integer, Long> statuses = calls.stream().map(BillingEventsE2eTest::get)
                    .collect(Collectors.groupingBy(s -> s, Collectors.counting()));
            // Exactly the 20 calls are admitted; the rest get 402 (or, on an overloaded machine, an uncharged 503).
            assertThat(statuses.get(200)).isEqualTo(20L);
            assertThat(statuses.keySet()).containsAnyOf(402).isSubsetOf(200, 402, 503);
        } finally {
            clients.shutdownNow();
        }

        receiver.await(2, Duration.ofSeconds(40)); // emits retry for ~30 s on store errors
        Thread.sleep(1500); // both replicas' workers polled several times more: nothing else may arrive

        List<Delivery> got = receiver.deliveries();
        assertThat(got).extracting(Delivery::eventId).containsExactlyInAnyOrder(
                "calls_low:crosser:portrait:5:g0", "calls_exhausted:crosser:portrait:g0");
        for (Delivery d : got) {
            assertThat(WebhookSignature.verify(SECRET, d.timestamp(), d.body(), d.signature(), Instant.now(),
                    WebhookSignature.TOLERANCE)).isEqualTo(WebhookSignature.Verdict.VALID);
        }
        assertThat(got.stream().filter(d -> d.eventId().startsWith("calls_low")).findFirst().orElseThrow().body())
                .contains("\"calls_remaining\":4").contains("\"threshold\":5");
    }

    private static Integer get(Future<Integer> f) {
        try {
            return f.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
