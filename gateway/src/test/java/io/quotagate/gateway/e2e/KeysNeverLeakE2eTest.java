package io.quotagate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.Replica;
import io.quotagate.gateway.admission.ApiKeys;
import io.quotagate.gateway.e2e.GatewayHttp.Reply;
import io.quotagate.gateway.testkit.LogCapture;
import io.quotagate.gateway.testkit.RawHttpClient;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RedisServerExtension;
import org.assertj.core.api.SoftAssertions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * No API key, admin token or key digest ever leaves a replica except where a key is shown once: a real replica on a
 * real Redis is driven with valid, near-miss, unknown, malformed, revoked and misplaced keys, wrong admin tokens and
 * admin calls that create and revoke keys; then everything it emitted is searched: its whole log (production levels,
 * its own loggers at DEBUG, start to stop), the audit log, the access log file, {@code /metrics}, and every answer
 * (status line, headers, body) but the two that show a new key.
 */
class KeysNeverLeakE2eTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final String ADMIN_TOKEN = "admin-token-7c1f9e22b4d05a63";
    private static final String GENERATE = "/v1/portrait/generate";

    @TempDir
    Path dir;

    private final GatewayHttp http = new GatewayHttp();
    /** Every answer the replica gave, as text, but the two that show a new key once. */
    private final List<String> answers = new ArrayList<>();

    @Test
    void noKeyTokenOrDigestAppearsInLogsMetricsAccessLogAuditLogOrAnswers() throws Exception {
        Path accessLog = dir.resolve("access.log");
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("admin token", ADMIN_TOKEN);
        String metrics;
        List<String> logs;
        try (LogCapture capture = LogCapture.everything(); RecordingUpstream upstream = RecordingUpstream.start();
             Replicas replicas = new Replicas()) {
            Replica gateway = replicas.start(E2eConfig.of(upstream.url().toString(), REDIS.uri())
                    .adminToken(ADMIN_TOKEN).accessLog(accessLog).writeTo(dir.resolve("quotagate.yaml")));
            int proxy = gateway.port();
            int admin = gateway.adminPort();

            // Admin calls that create keys: the only answers allowed to carry one.
            Reply created = http.sendBody(admin, "POST", "/v1/tenants", "{\"id\":\"leak\"}", auth(ADMIN_TOKEN));
            assertThat(created.status()).isEqualTo(201);
            String first = created.json().path("api_key").asText();
            Reply added = http.sendBody(admin, "POST", "/v1/tenants/leak/keys", null, auth(ADMIN_TOKEN));
            assertThat(added.status()).isEqualTo(201);
            String second = added.json().path("api_key").asText();
            String secondId = added.json().path("key_id").asText();
            Map<String, String> keys = Map.of("first key", first, "second key", second);
            keys.forEach((name, key) -> {
                secrets.put(name, key);
                secrets.put("the secret part of the " + name, key.substring(key.lastIndexOf('.') + 1));
                secrets.put("the digest of the " + name, ApiKeys.digest(key));
            });
            String nearMiss = first.substring(0, first.length() - 1) + (first.endsWith("A") ? "B" : "A");
            String unknownTenant = ApiKeys.generate("nobody");
            secrets.put("near-miss key", nearMiss);
            secrets.put("unknown tenant's key", unknownTenant);
            secrets.put("wrong admin token", "wrong-admin-token-0f3a9d");

            // Valid keys, both headers, and the quota endpoint.
            expect(200, http.generate(proxy, first));
            expect(200, http.send(proxy, "POST", GENERATE, "X-Api-Key", second));
            expect(200, http.send(proxy, "GET", "/v1/quota", "X-Api-Key", first));
            // Revoked, near miss, unknown tenant, malformed, a key in the query, the admin token as a key.
            expect(200, http.sendBody(admin, "DELETE", "/v1/tenants/leak/keys/" + secondId, null, auth(ADMIN_TOKEN)));
            expect(401, http.generate(proxy, second));
            expect(401, http.send(proxy, "GET", "/v1/quota", "X-Api-Key", second));
            expect(401, http.generate(proxy, nearMiss));
            expect(401, http.send(proxy, "POST", GENERATE, "X-Api-Key", unknownTenant));
            expect(401, http.send(proxy, "POST", GENERATE, "X-Api-Key", first + "-and-more"));
            expect(401, http.send(proxy, "POST", GENERATE + "?api_key=" + first));
            expect(401, http.generate(proxy, ADMIN_TOKEN));
            expect(404, http.send(proxy, "POST", "/v1/nowhere", "X-Api-Key", first));
            // Keys in requests the parser refuses: a control character in the value, a head over the limit.
            raw(400, proxy, "POST " + GENERATE + " HTTP/1.1\r\nHost: a\r\nX-Api-Key: " + first + "\u0001\r\n"
                    + "Content-Length: 0\r\n\r\n");
            raw(431, proxy, "POST " + GENERATE + " HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + first + "\r\n"
                    + "X-Pad: " + "p".repeat(20_000) + "\r\nContent-Length: 0\r\n\r\n");
            // Admin: wrong tokens, a tenant key as the token, a writing call refused, a key pasted into a body.
            expect(401, http.sendBody(admin, "GET", "/v1/tenants", null, auth("wrong-admin-token-0f3a9d")));
            expect(401, http.sendBody(admin, "POST", "/v1/tenants/leak/groups/portrait/packs",
                    "{\"calls\":1000,\"order_id\":\"o-1\"}", auth(first)));
            expect(401, http.sendBody(admin, "POST", "/v1/tenants/leak/suspend", null, "Authorization", "Basic " + ADMIN_TOKEN));
            expect(400, http.sendBody(admin, "POST", "/v1/tenants", "{\"id\":" + first + "}", auth(ADMIN_TOKEN)));
            expect(400, http.sendBody(admin, "POST", "/v1/tenants", "{\"id\":\"" + first + "\", \"name\":", auth(ADMIN_TOKEN)));
            expect(422, http.sendBody(admin, "POST", "/v1/tenants", "{\"id\":\"" + first + "\"}", auth(ADMIN_TOKEN)));
            expect(200, http.sendBody(admin, "POST", "/v1/tenants/leak/suspend", null, auth(ADMIN_TOKEN)));
            expect(403, http.generate(proxy, first));

            Reply scrape = http.sendBody(admin, "GET", "/metrics", null, auth(ADMIN_TOKEN));
            assertThat(scrape.status()).isEqualTo(200);
            metrics = scrape.body();
            replicas.stop(gateway); // flushes the access log and the audit log, and logs the stop
            logs = capture.lines();
        }
        String access = Files.readString(accessLog);

        // The capture saw what it should, so an empty search would mean something.
        assertThat(String.join("", logs)).contains("admin API on").contains("\"operation\":\"tenant.create\"")
                .contains("\"operation\":\"key.revoke\"").contains("\"outcome\":\"unauthorized\"");
        assertThat(access.lines()).as("every proxy request but the two quota reads").hasSize(12);
        assertThat(metrics).contains("quotagate_requests_total{group=\"portrait\",outcome=\"forwarded\",tenant=\"leak\"}");
        Map<String, String> emitted = Map.of("log", String.join("", logs), "metrics", metrics, "access log", access,
                "answers", String.join("\n", answers));
        SoftAssertions leaks = new SoftAssertions();
        emitted.forEach((where, text) -> secrets.forEach((what, secret) ->
                leaks.assertThat(text).as("%s in the %s", what, where).doesNotContain(secret)));
        leaks.assertAll();
    }

    private static String[] auth(String token) {
        return new String[] {"Authorization", "Bearer " + token};
    }

    private void expect(int status, Reply reply) {
        answers.add(reply.toString());
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
    }

    private void raw(int status, int port, String request) {
        try (RawHttpClient client = RawHttpClient.connect(port)) {
            RawHttpClient.RawResponse response = client.send(request).readResponse();
            answers.add(response.toString() + " " + response.headers() + " " + response.bodyText());
            assertThat(response.status()).as(response.toString()).isEqualTo(status);
        }
    }
}
