package io.quotagate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.Replica;
import io.quotagate.gateway.e2e.GatewayHttp.Reply;
import io.quotagate.gateway.store.TemplateQuota;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RedisServerExtension;
import io.quotagate.gateway.testkit.UpstreamReply;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule 7 (with rules 8 and 9) through a real gateway, checked in Redis: {@code POST /v1/templates} (cost 1,
 * {@code templates: create}) keeps its slot only on a 2xx, is refused with {@code template_quota_exhausted} when
 * every slot is used (not forwarded, nothing charged), and {@code DELETE /v1/templates/{id}} frees one slot only
 * on a 2xx. A create the upstream does not answer in time is refunded and its slot released, once.
 */
class TemplatesE2eTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration SETTLED = Duration.ofSeconds(5);

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
        replicas = new Replicas();
        gateway = replicas.start(E2eConfig.of(upstream.url().toString(), REDIS.uri()).freeTemplates(2)
                .responseTimeout(Duration.ofMillis(300))
                .writeTo(dir.resolve("quotagate.yaml")));
    }

    @AfterAll
    static void stop() {
        replicas.close();
        accounts.close();
        upstream.close();
    }

    @Test
    void slotsAreKeptOn2xxReleasedOtherwiseAndFreedByADelete() {
        String key = accounts.create("tpl", 10, 2);

        upstream.respondWith(UpstreamReply.status(201).body("{\"id\":\"t1\"}"));
        assertThat(create(key).status()).isEqualTo(201);
        expect("kept on 201", 9, new TemplateQuota(2, 1));

        upstream.respondWith(UpstreamReply.status(500));
        assertThat(create(key).status()).isEqualTo(500);
        expect("released and refunded on 500", 9, new TemplateQuota(2, 1));

        upstream.respondWith(UpstreamReply.status(400));
        assertThat(create(key).status()).isEqualTo(400);
        expect("released on 400, the call charged", 8, new TemplateQuota(2, 1));

        upstream.respondWith(UpstreamReply.status(201).body("{\"id\":\"t2\"}"));
        assertThat(create(key).status()).isEqualTo(201);
        expect("kept on 201", 7, new TemplateQuota(2, 2));
        long forwarded = forwarded();

        Reply full = create(key);
        assertThat(full.status()).isEqualTo(402);
        assertThat(full.errorCode()).isEqualTo("template_quota_exhausted");
        assertThat(full.header("X-Calls-Remaining")).isEqualTo("7");
        assertThat(forwarded()).isEqualTo(forwarded);
        expect("nothing charged for the rejection", 7, new TemplateQuota(2, 2));

        upstream.respondWith(UpstreamReply.status(404));
        assertThat(http.send(gateway.port(), "DELETE", "/v1/templates/nope", "X-Api-Key", key).status()).isEqualTo(404);
        Poll.stays("slots after a failed delete", Duration.ofMillis(500), () -> accounts.templates("tpl"), new TemplateQuota(2, 2));

        upstream.respondWith(UpstreamReply.status(204));
        assertThat(http.send(gateway.port(), "DELETE", "/v1/templates/t1", "X-Api-Key", key).status()).isEqualTo(204);
        expect("one slot freed by a 204 delete, which costs nothing", 7, new TemplateQuota(2, 1));

        upstream.respondWith(UpstreamReply.status(201).body("{\"id\":\"t3\"}"));
        assertThat(create(key).status()).isEqualTo(201);
        expect("the freed slot is usable again", 6, new TemplateQuota(2, 2));
    }

    @Test
    void aCreateTheUpstreamDoesNotAnswerInTimeReleasesTheSlotAndRefundsTheCall() {
        String key = accounts.create("tpl-slow", 10, 1);
        upstream.respondWith(UpstreamReply.status(201).delay(Duration.ofMillis(800)));

        Reply reply = http.send(gateway.port(), "POST", "/v1/templates", "X-Api-Key", key);

        assertThat(reply.status()).isEqualTo(504);
        Poll.until("calls after the timeout", SETTLED, () -> accounts.balance("tpl-slow"), 10L);
        Poll.until("slots after the timeout", SETTLED, () -> accounts.templates("tpl-slow"), new TemplateQuota(1, 0));
        // The upstream's late 201 must not take the slot back nor settle again.
        Poll.stays("slots and calls after the late 201", Duration.ofSeconds(1),
                () -> accounts.balance("tpl-slow") + "/" + accounts.templates("tpl-slow"), "10/" + new TemplateQuota(1, 0));
    }

    private Reply create(String key) {
        return http.send(gateway.port(), "POST", "/v1/templates", "X-Api-Key", key);
    }

    /** Settlement reaches Redis after the client has its answer: poll for the calls and slots. */
    private void expect(String what, long calls, TemplateQuota slots) {
        Poll.until(what + ": calls", SETTLED, () -> accounts.balance("tpl"), calls);
        Poll.until(what + ": slots", SETTLED, () -> accounts.templates("tpl"), slots);
    }

    private static long forwarded() {
        return upstream.requests().stream().filter(r -> "tpl".equals(r.header("X-Tenant-Id"))).count();
    }
}
