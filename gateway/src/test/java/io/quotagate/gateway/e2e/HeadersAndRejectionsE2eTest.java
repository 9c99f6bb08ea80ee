package io.quotagate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quotagate.gateway.Replica;
import io.quotagate.gateway.admission.ApiKeys;
import io.quotagate.gateway.e2e.GatewayHttp.Reply;
import io.quotagate.gateway.store.BillingMode;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RecordingUpstream.RecordedRequest;
import io.quotagate.gateway.testkit.RedisServerExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §3 end to end: every rejection code a client can meet before the upstream (401 without a key or with an
 * unknown or revoked one, in one body shape; 403 suspended; 404 unknown route, rule 11; 402 {@code qps_not_purchased}, rule 5), the
 * rate-limit headers and {@code X-Calls-Remaining} of an admitted call, and what the upstream receives: no key
 * header, and the gateway's own {@code X-Tenant-Id} whatever the client sent.
 */
class HeadersAndRejectionsE2eTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final String GENERATE = "/v1/portrait/generate";

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
        gateway = replicas.start(E2eConfig.of(upstream.url().toString(), REDIS.uri()).writeTo(dir.resolve("quotagate.yaml")));
    }

    @AfterAll
    static void stop() {
        replicas.close();
        accounts.close();
        upstream.close();
    }

    @Test
    void keysThatAreMissingUnknownOrRevokedAre401InOneBodyShapeAndNeverForwarded() {
        accounts.create("known", 50, 20);
        String revokedKey = accounts.addKey("known", "k2");
        assertThat(http.generate(gateway.port(), revokedKey).status()).as("the key before it is revoked").isEqualTo(200);
        accounts.revokeKey("known", "k2");
        int before = upstream.requestCount();

        Reply missing = http.send(gateway.port(), "POST", GENERATE);
        Reply unknownKey = http.send(gateway.port(), "POST", GENERATE, "Authorization", "Bearer " + ApiKeys.generate("known"));
        Reply unknownTenant = http.send(gateway.port(), "POST", GENERATE, "X-Api-Key", ApiKeys.generate("nobody"));
        Reply malformed = http.send(gateway.port(), "POST", GENERATE, "X-Api-Key", "not-a-key");
        Reply revoked = http.generate(gateway.port(), revokedKey);

        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.errorCode()).isEqualTo("missing_api_key");
        for (Reply invalid : List.of(unknownKey, unknownTenant, malformed, revoked)) {
            assertThat(invalid.status()).isEqualTo(401);
            assertThat(invalid.errorCode()).isEqualTo("invalid_api_key");
            assertThat(invalid.header("Content-Type")).isEqualTo(missing.header("Content-Type"));
            assertThat(fieldNames(invalid.json())).isEqualTo(fieldNames(missing.json())).containsExactly("error");
            assertThat(fieldNames(invalid.json().path("error"))).isEqualTo(fieldNames(missing.json().path("error")))
                    .containsExactly("code", "message");
            assertThat(invalid.json().path("error").path("message").asText()).isNotBlank();
        }
        // An unknown key says nothing about the tenant it names, nor a revoked key that it once was valid.
        assertThat(unknownKey.body()).isEqualTo(unknownTenant.body()).isEqualTo(malformed.body()).isEqualTo(revoked.body());
        assertThat(upstream.requestCount()).isEqualTo(before);
        assertThat(invalidHeaders(revoked)).isEqualTo(invalidHeaders(unknownKey));
    }

    /** The response's field names, lower case and sorted. */
    private static List<String> invalidHeaders(Reply reply) {
        return reply.headers().map().keySet().stream().map(String::toLowerCase).sorted().toList();
    }

    @Test
    void aSuspendedTenantIs403AndNotCharged() {
        String key = accounts.create("suspended", 50, 20);
        accounts.suspend("suspended");

        Reply reply = http.generate(gateway.port(), key);

        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.errorCode()).isEqualTo("tenant_suspended");
        assertThat(accounts.balance("suspended")).isEqualTo(50);
        assertThat(forwarded("suspended")).isZero();
    }

    @Test
    void anUnknownRouteIs404AndNeverForwarded() {
        String key = accounts.create("lost", 50, 20);
        int before = upstream.requestCount();

        Reply unknownPath = http.send(gateway.port(), "POST", "/v1/portrait/delete-everything", "X-Api-Key", key);
        Reply wrongMethod = http.send(gateway.port(), "GET", GENERATE, "X-Api-Key", key);
        Reply noKey = http.send(gateway.port(), "GET", "/admin");

        for (Reply reply : List.of(unknownPath, wrongMethod, noKey)) {
            assertThat(reply.status()).isEqualTo(404);
            assertThat(reply.errorCode()).isEqualTo("route_not_found");
        }
        assertThat(upstream.requestCount()).isEqualTo(before);
        assertThat(accounts.balance("lost")).isEqualTo(50);
    }

    @Test
    void qpsModeWithoutAPurchaseIs402AndNotCharged() {
        String key = accounts.create("noqps", 50, 20);
        accounts.mode("noqps", BillingMode.QPS);

        Reply reply = http.generate(gateway.port(), key);

        assertThat(reply.status()).isEqualTo(402);
        assertThat(reply.errorCode()).isEqualTo("qps_not_purchased");
        assertThat(accounts.balance("noqps")).isEqualTo(50);
        assertThat(forwarded("noqps")).isZero();
    }

    @Test
    void anAdmittedCallCarriesTheRateLimitHeadersAndTheCallsLeft() {
        String key = accounts.create("fresh", 50, 20);

        Reply reply = http.generate(gateway.port(), key);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("RateLimit-Policy")).isEqualTo("\"qps\";q=10;w=1");
        assertThat(reply.header("RateLimit")).isEqualTo("\"qps\";r=9;t=0");
        assertThat(reply.header("X-Calls-Remaining")).isEqualTo("49");
        assertThat(accounts.balance("fresh")).isEqualTo(49);
    }

    @Test
    void qpsModeWithAPurchaseUsesItsLimitAndChargesNoCalls() {
        String key = accounts.create("bought", 50, 20);
        accounts.mode("bought", BillingMode.QPS);
        accounts.buyQps("bought", 5);

        Reply reply = http.generate(gateway.port(), key);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("RateLimit-Policy")).isEqualTo("\"qps\";q=5;w=1");
        assertThat(reply.header("RateLimit")).isEqualTo("\"qps\";r=4;t=0");
        assertThat(reply.header("X-Calls-Remaining")).isNull();
        assertThat(accounts.balance("bought")).isEqualTo(50);
    }

    @Test
    void theUpstreamGetsNoKeyAndTheGatewaysTenantIdWhateverTheClientSent() {
        String key = accounts.create("honest", 50, 20);

        RecordedRequest bearer = forwardedWith("Authorization", "Bearer " + key, "X-Tenant-Id", "victim");
        RecordedRequest apiKey = forwardedWith("X-Api-Key", key, "X-Tenant-Id", "victim");
        RecordedRequest plain = forwardedWith("X-Api-Key", key);

        for (RecordedRequest r : List.of(bearer, apiKey, plain)) {
            assertThat(r.headerValues("X-Tenant-Id")).containsExactly("honest");
            assertThat(r.header("Authorization")).isNull();
            assertThat(r.header("X-Api-Key")).isNull();
            assertThat(r.bodyText()).isEqualTo("{\"prompt\":\"cat\"}");
        }
        assertThat(accounts.balance("honest")).isEqualTo(47);
    }

    /** Sends a generate call marked with a unique header and returns it as the upstream received it. */
    private RecordedRequest forwardedWith(String... headers) {
        String mark = UUID.randomUUID().toString();
        List<String> all = new ArrayList<>(List.of(headers));
        all.addAll(List.of("X-Test-Mark", mark));
        assertThat(http.send(gateway.port(), "POST", GENERATE, all.toArray(String[]::new)).status()).isEqualTo(200);
        return upstream.requests().stream().filter(r -> mark.equals(r.header("X-Test-Mark"))).findFirst().orElseThrow();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static long forwarded(String tenant) {
        return upstream.requests().stream().filter(r -> tenant.equals(r.header("X-Tenant-Id"))).count();
    }
}
