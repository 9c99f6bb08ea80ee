package io.quotagate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.Replica;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RedisServerExtension;
import io.quotagate.gateway.testkit.WebhookReceiver;
import io.quotagate.gateway.testkit.WebhookReceiver.Delivery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An event whose deliveries keep failing outlives the replica that emitted it: the outbox is in Redis, and a
 * replica started later delivers it, with the same id and body.
 */
class BillingEventsRestartE2eTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir
    Path dir;

    @Test
    void anUndeliveredEventIsDeliveredByAReplicaStartedAfterItsEmitterStopped() throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start();
             WebhookReceiver receiver = WebhookReceiver.start();
             Accounts accounts = new Accounts(REDIS.uri());
             Replicas replicas = new Replicas()) {
            Path file = E2eConfig.of(upstream.url().toString(), REDIS.uri()).redisTimeout(Duration.ofSeconds(3), 2)
                    .events(receiver.url().toString(), "whsec-restart-0123456789", "1%") // 2 calls of 200: never crossed from 1
                    .writeTo(dir.resolve("quotagate.yaml"));
            receiver.failFirst(1_000_000);
            Replica emitter = replicas.start(file);
            String key = accounts.create("leaver", 1, 20);
            assertThat(new GatewayHttp().generate(emitter.port(), key).status()).isEqualTo(200); // the last call

            receiver.await(2, Duration.ofSeconds(20)); // at least two failed attempts, so its outbox entry is live
            replicas.stop(emitter);
            int attemptsBefore = receiver.deliveries().size();
            receiver.failFirst(0);
            replicas.start(file);

            List<Delivery> got = receiver.await(attemptsBefore + 1, Duration.ofSeconds(60));
            assertThat(got).hasSizeGreaterThan(attemptsBefore);
            assertThat(got).extracting(Delivery::eventId).containsOnly("calls_exhausted:leaver:portrait:g0");
            assertThat(got).extracting(Delivery::body).containsOnly(got.get(0).body());
        }
    }
}
