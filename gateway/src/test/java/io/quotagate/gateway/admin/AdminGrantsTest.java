package io.quotagate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quotagate.gateway.testkit.AdminFixture;
import io.quotagate.gateway.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packs, QPS purchases, template slots (rule 10 idempotency) and quotes with the seed catalog, over HTTP. */
class AdminGrantsTest {

    private static final String PACKS = "/v1/tenants/acme/groups/portrait/packs";
    private static final String QPS = "/v1/tenants/acme/groups/portrait/qps";
    private static final String TEMPLATES = "/v1/tenants/acme/groups/portrait/templates";

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(AdminFixture.START);
    private AdminFixture admin;

    @BeforeEach
    void start() throws Exception {
        admin = AdminFixture.memory(dir, clock);
        admin.post("/v1/tenants", "{\"id\":\"acme\"}");
    }

    @AfterEach
    void stop() {
        admin.close();
    }

    @Test
    void aPackIsValidOneYearAndPricedFromTheCatalog() {
        AdminFixture.Response granted = admin.post(PACKS, "{\"calls\":1000,\"order_id\":\"o-1\"}");
        assertThat(granted.status()).as(granted.toString()).isEqualTo(200);
        JsonNode sale = granted.json();
        assertThat(sale.path("price").asLong()).isEqualTo(400);
        assertThat(sale.path("currency").asText()).isEqualTo("CNY");
        assertThat(sale.path("order_id").asText()).isEqualTo("o-1");
        assertThat(sale.path("lot").path("source").asText()).isEqualTo("paid");
        assertThat(sale.path("lot").path("calls").asLong()).isEqualTo(1000);
        assertThat(sale.path("lot").path("granted_at").asText()).isEqualTo("2026-01-15T00:00:00Z");
        assertThat(sale.path("lot").path("expires_at").asText()).isEqualTo("2027-01-15T00:00:00Z");
        assertThat(portrait().path("calls_remaining").asLong()).isEqualTo(1200);
    }

    @Test
    void aRepeatedOrderReturnsTheFirstResultAndAnotherBodyConflicts() {
        JsonNode first = admin.post(PACKS, "{\"calls\":1000,\"order_id\":\"o-1\"}").json();
        clock.advance(Duration.ofMinutes(5));
        AdminFixture.Response again = admin.post(PACKS, "{\"calls\":1000,\"order_id\":\"o-1\"}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("lot")).isEqualTo(first.path("lot"));
        AdminFixture.Response other = admin.post(PACKS, "{\"calls\":10000,\"order_id\":\"o-1\"}");
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.errorCode()).isEqualTo("conflict");
        assertThat(other.json().path("error").path("message").asText()).contains("o-1");
        assertThat(portrait().path("calls_remaining").asLong()).as("credited once").isEqualTo(1200);
        assertThat(admin.post(TEMPLATES, "{\"slots\":100,\"order_id\":\"o-1\"}").status())
                .as("an order id is one grant, whatever its kind").isEqualTo(409);
    }

    @Test
    void offCatalogPacksAreAllowedWithNoPriceAndMigrationsMaySetTheDates() {
        JsonNode sale = admin.post(PACKS, "{\"calls\":1500,\"order_id\":\"goodwill-1\"}").json();
        assertThat(sale.path("price").isNull()).isTrue();
        assertThat(sale.path("lot").path("calls").asLong()).isEqualTo(1500);
        JsonNode migrated = admin.post(PACKS, "{\"calls\":1000,\"order_id\":\"legacy-7\","
                + "\"granted_at\":\"2025-06-01T00:00:00Z\",\"expires_at\":\"2026-06-01T00:00:00Z\"}").json();
        assertThat(migrated.path("lot").path("granted_at").asText()).isEqualTo("2025-06-01T00:00:00Z");
        assertThat(migrated.path("lot").path("expires_at").asText()).isEqualTo("2026-06-01T00:00:00Z");
        assertThat(portrait().path("calls_remaining").asLong()).isEqualTo(200 + 1500 + 1000);
    }

    @Test
    void grantsRefuseBadInput() {
        assertThat(message(admin.post(PACKS, "{\"order_id\":\"o\"}"), 400)).isEqualTo("calls: required");
        assertThat(message(admin.post(PACKS, "{\"calls\":0,\"order_id\":\"o\"}"), 400)).isEqualTo("calls: 0 (expected: > 0)");
        assertThat(message(admin.post(PACKS, "{\"calls\":1.5,\"order_id\":\"o\"}"), 400)).isEqualTo("calls: must be an integer");
        assertThat(message(admin.post(PACKS, "{\"calls\":1000}"), 400)).isEqualTo("order_id: required");
        assertThat(message(admin.post(PACKS, "{\"calls\":1000,\"order_id\":\"o\",\"expires_at\":\"soon\"}"), 400))
                .startsWith("expires_at: soon (expected: ISO-8601");
        assertThat(admin.post(PACKS, "{\"calls\":1000,\"order_id\":\"has space\"}").status()).isEqualTo(422);
        assertThat(admin.post("/v1/tenants/acme/groups/video/packs", "{\"calls\":1000,\"order_id\":\"o\"}").status())
                .isEqualTo(404);
        assertThat(admin.post("/v1/tenants/nobody/groups/portrait/packs", "{\"calls\":1000,\"order_id\":\"o\"}")
                .status()).isEqualTo(404);
        assertThat(message(admin.post(QPS, "{\"qps\":5,\"order_id\":\"o\"}"), 400))
                .isEqualTo("exactly one of days and months is required");
        assertThat(message(admin.post(QPS, "{\"qps\":5,\"days\":1,\"months\":1,\"order_id\":\"o\"}"), 400))
                .isEqualTo("exactly one of days and months is required");
        assertThat(message(admin.post(TEMPLATES, "{\"slots\":-1,\"order_id\":\"o\"}"), 400)).isEqualTo("slots: -1 (expected: > 0)");
    }

    @Test
    void qpsByTheMonthSetsTheLimitInQpsModeAndMaxQpsIsEnforcedOverTheTerm() {
        admin.put("/v1/tenants/acme/groups/portrait/mode", "{\"mode\":\"qps\"}");
        JsonNode sale = admin.post(QPS, "{\"qps\":60,\"months\":1,\"order_id\":\"q-1\"}").json();
        assertThat(sale.path("price").asLong()).isEqualTo(240000);
        assertThat(sale.path("purchase").path("qps").asInt()).isEqualTo(60);
        assertThat(sale.path("purchase").path("starts_at").asText()).isEqualTo("2026-01-15T00:00:00Z");
        assertThat(sale.path("purchase").path("ends_at").asText()).isEqualTo("2026-02-15T00:00:00Z");
        assertThat(sale.path("purchase").path("active").asBoolean()).isTrue();
        assertThat(portrait().path("qps_limit").asLong()).isEqualTo(60);

        AdminFixture.Response over = admin.post(QPS, "{\"qps\":241,\"days\":3,\"order_id\":\"q-2\","
                + "\"start\":\"2026-02-13T00:00:00Z\"}");
        assertThat(over.status()).as("60 + 241 > 300 on 13-15 Feb").isEqualTo(422);
        assertThat(over.errorCode()).isEqualTo("invalid");
        AdminFixture.Response after = admin.post(QPS, "{\"qps\":241,\"days\":3,\"order_id\":\"q-3\","
                + "\"start\":\"2026-02-15\"}");
        assertThat(after.status()).as(after.toString()).isEqualTo(200);
        assertThat(after.json().path("price").asLong()).as("241 QPS x 3 days x 140").isEqualTo(101220);
        assertThat(after.json().path("purchase").path("active").asBoolean()).isFalse();
        assertThat(portrait().path("qps_limit").asLong()).as("a future purchase is not in force").isEqualTo(60);

        admin.put("/v1/tenants/acme/groups/portrait/mode", "{\"mode\":\"count\"}");
        assertThat(portrait().path("qps_limit").asLong()).as("count mode: acme's count_mode_qps").isEqualTo(20);
        assertThat(portrait().path("qps_purchases")).hasSize(2);
    }

    @Test
    void templateSlotsAddToTheQuota() {
        JsonNode sale = admin.post(TEMPLATES, "{\"slots\":100,\"order_id\":\"t-1\"}").json();
        assertThat(sale.path("price").asLong()).isEqualTo(400);
        assertThat(sale.path("templates").path("quota").asLong()).isEqualTo(120);
        assertThat(admin.post(TEMPLATES, "{\"slots\":100,\"order_id\":\"t-1\"}").json().path("templates")
                .path("quota").asLong()).isEqualTo(120);
        assertThat(portrait().path("templates").path("quota").asLong()).isEqualTo(120);
    }

    @Test
    void quotesUseTheSeedCatalog() {
        JsonNode pack = admin.get("/v1/quotes/pack?calls=1000").json();
        assertThat(pack.path("price").asLong()).isEqualTo(400);
        assertThat(pack.path("currency").asText()).isEqualTo("CNY");
        JsonNode qps = admin.get("/v1/quotes/qps?qps=60&months=1").json();
        assertThat(qps.path("price").asLong()).isEqualTo(240000);
        assertThat(qps.path("unit_price").asLong()).isEqualTo(4000);
        assertThat(qps.path("months").asLong()).isEqualTo(1);
        assertThat(admin.get("/v1/quotes/qps?qps=10&days=7").json().path("price").asLong()).isEqualTo(15400);
        assertThat(admin.get("/v1/quotes/template?slots=100").json().path("price").asLong()).isEqualTo(400);
        AdminFixture.Response odd = admin.get("/v1/quotes/pack?calls=1500");
        assertThat(odd.status()).isEqualTo(422);
        assertThat(odd.json().path("error").path("message").asText())
                .isEqualTo("no 1500-call pack in the catalog; pack sizes: 1000, 10000, 100000, 1000000, 10000000");
        assertThat(message(admin.get("/v1/quotes/qps?qps=60"), 400)).isEqualTo("exactly one of days and months is required");
        assertThat(message(admin.get("/v1/quotes/pack"), 400)).isEqualTo("calls: required");
        assertThat(message(admin.get("/v1/quotes/pack?calls=x"), 400)).isEqualTo("calls: x (expected: an integer)");
    }

    private JsonNode portrait() {
        return admin.get("/v1/tenants/acme").json().path("groups").path("portrait");
    }

    private static String message(AdminFixture.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return response.json().path("error").path("message").asText();
    }
}
