package io.quotagate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quotagate.gateway.admission.ApiKeys;
import io.quotagate.gateway.store.TemplateUse;
import io.quotagate.gateway.store.Activation;
import io.quotagate.gateway.store.AdmitCommand;
import io.quotagate.gateway.store.AdmitResult;
import io.quotagate.gateway.store.KeyInfo;
import io.quotagate.gateway.store.OpResult;
import io.quotagate.gateway.testkit.AdminFixture;
import io.quotagate.gateway.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tenants, keys, status, mode, usage and ledger over HTTP against a real admin listener and the memory store. */
class AdminTenantsTest {

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(AdminFixture.START);
    private AdminFixture admin;

    @BeforeEach
    void start() throws Exception {
        admin = AdminFixture.memory(dir, clock);
    }

    @AfterEach
    void stop() {
        admin.close();
    }

    @Test
    void createShowsTheKeyOnceAndStoresOnlyItsDigest() throws Exception {
        AdminFixture.Response created = admin.post("/v1/tenants", "{\"id\":\"acme\",\"name\":\"Acme Corp\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode body = created.json();
        assertThat(body.path("id").asText()).isEqualTo("acme");
        assertThat(body.path("name").asText()).isEqualTo("Acme Corp");
        assertThat(body.path("status").asText()).isEqualTo("active");
        String apiKey = body.path("api_key").asText();
        assertThat(apiKey).startsWith("qg_acme.").hasSize("qg_acme.".length() + 32);
        assertThat(ApiKeys.tenantOf(apiKey)).isEqualTo("acme");
        assertThat(created.header("Cache-Control")).isEqualTo("no-store");

        List<KeyInfo> stored = ((OpResult.Ok<List<KeyInfo>>) admin.store().keys("acme").toCompletableFuture().get())
                .value();
        assertThat(stored).singleElement().satisfies(key -> {
            assertThat(key.keyId()).isEqualTo(body.path("key_id").asText());
            assertThat(key.digest()).isEqualTo(ApiKeys.digest(apiKey));
        });
        assertThat(admin.get("/v1/tenants/acme").body()).doesNotContain(apiKey).doesNotContain(ApiKeys.digest(apiKey));
        assertThat(admin.get("/v1/tenants/acme/keys").body()).doesNotContain(apiKey).doesNotContain(ApiKeys.digest(apiKey));
    }

    @Test
    void createRefusesADuplicateABadIdAndAMissingId() {
        admin.post("/v1/tenants", "{\"id\":\"acme\"}");
        AdminFixture.Response again = admin.post("/v1/tenants", "{\"id\":\"acme\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.errorCode()).isEqualTo("conflict");
        AdminFixture.Response bad = admin.post("/v1/tenants", "{\"id\":\"Not Valid\"}");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().path("error").path("message").asText()).contains("Not Valid").contains("[a-z0-9]");
        AdminFixture.Response missing = admin.post("/v1/tenants", "{\"name\":\"x\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().path("error").path("message").asText()).isEqualTo("id: required");
        AdminFixture.Response notJson = admin.post("/v1/tenants", "{\"id\":");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.errorCode()).isEqualTo("bad_request");
        assertThat(admin.post("/v1/tenants", "{\"id\":7}").json().path("error").path("message").asText())
                .isEqualTo("id: must be a string");
        assertThat(admin.post("/v1/tenants", null).json().path("error").path("message").asText())
                .isEqualTo("a JSON object body is required");
    }

    @Test
    void showHasTheSpecShapeWithTheFreeLotAndTheLimitsInForce() {
        admin.post("/v1/tenants", "{\"id\":\"acme\"}");
        admin.post("/v1/tenants", "{\"id\":\"globex\"}");
        JsonNode acme = admin.get("/v1/tenants/acme").json();
        assertThat(acme.path("id").asText()).isEqualTo("acme");
        assertThat(acme.path("status").asText()).isEqualTo("active");
        JsonNode portrait = acme.path("groups").path("portrait");
        assertThat(portrait.path("mode").asText()).isEqualTo("count");
        assertThat(portrait.path("calls_remaining").asLong()).isEqualTo(200);
        assertThat(portrait.path("qps_limit").asLong()).as("acme's override").isEqualTo(20);
        JsonNode lot = portrait.path("lots").get(0);
        assertThat(lot.path("source").asText()).isEqualTo("free");
        assertThat(lot.path("calls").asLong()).isEqualTo(200);
        assertThat(lot.path("remaining").asLong()).isEqualTo(200);
        assertThat(lot.path("expires_at").asText()).isEqualTo("2027-01-15T00:00:00Z");
        assertThat(lot.path("id").asText()).isNotEmpty();
        assertThat(portrait.path("qps_purchases").isArray()).isTrue();
        assertThat(portrait.path("templates").path("quota").asLong()).isEqualTo(20);
        assertThat(portrait.path("templates").path("used").asLong()).isZero();
        assertThat(admin.get("/v1/tenants/globex").json().path("groups").path("portrait").path("qps_limit").asLong())
                .isEqualTo(10);

        clock.advance(Duration.ofDays(366));
        JsonNode later = admin.get("/v1/tenants/acme").json().path("groups").path("portrait");
        assertThat(later.path("calls_remaining").asLong()).as("an expired lot counts for nothing").isZero();
        assertThat(later.path("lots").get(0).path("remaining").asLong()).isEqualTo(200);

        AdminFixture.Response unknown = admin.get("/v1/tenants/nobody");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("not_found");
    }

    @Test
    void listSuspendAndResume() {
        admin.post("/v1/tenants", "{\"id\":\"globex\",\"name\":\"Globex\"}");
        admin.post("/v1/tenants", "{\"id\":\"acme\"}");
        assertThat(admin.post("/v1/tenants/acme/suspend", null).json().path("status").asText()).isEqualTo("suspended");
        JsonNode list = admin.get("/v1/tenants").json().path("tenants");
        assertThat(list).hasSize(2);
        assertThat(list.get(0).path("id").asText()).isEqualTo("acme");
        assertThat(list.get(0).path("status").asText()).isEqualTo("suspended");
        assertThat(list.get(1).path("name").asText()).isEqualTo("Globex");
        assertThat(admin.post("/v1/tenants/acme/resume", null).json().path("status").asText()).isEqualTo("active");
        assertThat(admin.post("/v1/tenants/nobody/suspend", null).status()).isEqualTo(404);
    }

    @Test
    void keysAreCreatedListedAndRevoked() {
        admin.post("/v1/tenants", "{\"id\":\"acme\"}");
        clock.advance(Duration.ofMinutes(1));
        AdminFixture.Response created = admin.post("/v1/tenants/acme/keys", null);
        assertThat(created.status()).isEqualTo(201);
        String keyId = created.json().path("key_id").asText();
        assertThat(created.json().path("api_key").asText()).startsWith("qg_acme.");
        JsonNode keys = admin.get("/v1/tenants/acme/keys").json().path("keys");
        assertThat(keys).hasSize(2);
        assertThat(keys.get(1).path("key_id").asText()).isEqualTo(keyId);
        assertThat(keys.get(1).path("active").asBoolean()).isTrue();

        clock.advance(Duration.ofMinutes(1));
        AdminFixture.Response revoked = admin.delete("/v1/tenants/acme/keys/" + keyId);
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.json().path("active").asBoolean()).isFalse();
        assertThat(revoked.json().path("revoked_at").asText()).isEqualTo("2026-01-15T00:02:00Z");
        assertThat(admin.delete("/v1/tenants/acme/keys/k_nope").status()).isEqualTo(404);
        assertThat(admin.post("/v1/tenants/nobody/keys", null).status()).isEqualTo(404);
    }

    @Test
    void modeIsSetPerGroupAndAnUnknownGroupIs404() {
        admin.post("/v1/tenants", "{\"id\":\"acme\"}");
        JsonNode qps = admin.put("/v1/tenants/acme/groups/portrait/mode", "{\"mode\":\"qps\"}").json();
        assertThat(qps.path("groups").path("portrait").path("mode").asText()).isEqualTo("qps");
        assertThat(qps.path("groups").path("portrait").path("qps_limit").asLong()).as("nothing bought").isZero();
        AdminFixture.Response unknown = admin.put("/v1/tenants/acme/groups/video/mode", "{\"mode\":\"qps\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").path("message").asText()).isEqualTo("no group video (groups: portrait)");
        AdminFixture.Response bad = admin.put("/v1/tenants/acme/groups/portrait/mode", "{\"mode\":\"fast\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("error").path("message").asText()).isEqualTo("mode: fast (expected: count or qps)");
    }

    @Test
    void usageShowsAdmittedChargedAndFreePackCallsPerDay() {
        String apiKey = admin.post("/v1/tenants", "{\"id\":\"acme\"}").json().path("api_key").asText();
        for (int i = 0; i < 3; i++) {
            AdmitResult result = admin.store().admit(admit("acme", apiKey)).toCompletableFuture().join();
            assertThat(result).isInstanceOf(AdmitResult.Admitted.class);
        }
        JsonNode usage = admin.get("/v1/tenants/acme/usage").json();
        assertThat(usage.path("from").asText()).isEqualTo("2025-12-17");
        assertThat(usage.path("to").asText()).isEqualTo("2026-01-15");
        JsonNode day = usage.path("days").get(0);
        assertThat(day.path("date").asText()).isEqualTo("2026-01-15");
        assertThat(day.path("group").asText()).isEqualTo("portrait");
        assertThat(day.path("admitted").asLong()).isEqualTo(3);
        assertThat(day.path("charged").asLong()).isEqualTo(3);
        assertThat(day.path("charged_free").asLong()).isEqualTo(3);
        assertThat(usage.path("totals").path("portrait").path("charged").asLong()).isEqualTo(3);
        assertThat(admin.get("/v1/tenants/acme/usage?group=portrait&from=2026-01-16&to=2026-01-20").json()
                .path("days")).isEmpty();
        assertThat(admin.get("/v1/tenants/acme/usage?group=video").status()).isEqualTo(404);
        assertThat(admin.get("/v1/tenants/acme/usage?from=yesterday").status()).isEqualTo(400);
        assertThat(admin.get("/v1/tenants/acme/usage?from=2026-01-20&to=2026-01-10").status()).isEqualTo(422);
    }

    @Test
    void theLedgerListsEveryChange() {
        admin.post("/v1/tenants", "{\"id\":\"acme\"}");
        admin.post("/v1/tenants/acme/groups/portrait/packs", "{\"calls\":1000,\"order_id\":\"o-1\"}");
        admin.post("/v1/tenants/acme/suspend", null);
        JsonNode entries = admin.get("/v1/tenants/acme/ledger").json().path("entries");
        List<String> kinds = new java.util.ArrayList<>();
        entries.forEach(e -> kinds.add(e.path("kind").asText()));
        assertThat(kinds).containsSubsequence("tenant_created", "pack_granted", "suspended");
        JsonNode pack = entries.get(kinds.indexOf("pack_granted"));
        assertThat(pack.path("order_id").asText()).isEqualTo("o-1");
        assertThat(pack.path("price").asLong()).isEqualTo(400);
        assertThat(pack.path("currency").asText()).isEqualTo("CNY");
        assertThat(admin.get("/v1/tenants/nobody/ledger").status()).isEqualTo(404);
    }

    private static AdmitCommand admit(String tenant, String apiKey) {
        return new AdmitCommand(UUID.randomUUID().toString(), tenant, ApiKeys.digest(apiKey), "portrait", 1, true,
                TemplateUse.NONE, 20, 300, new Activation(200, Duration.ofDays(365).toMillis(), 20), 60_000);
    }
}
