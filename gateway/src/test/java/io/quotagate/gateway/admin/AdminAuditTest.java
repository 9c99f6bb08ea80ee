package io.quotagate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.testkit.AdminFixture;
import io.quotagate.gateway.testkit.LogCapture;
import io.quotagate.gateway.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log through a real admin listener: one table of calls, each writing operation (and its refusals and
 * failures) with the exact line it must write, reads with none. Lines are read from the {@code quotagate.audit}
 * logger, where the production logback config routes them.
 */
class AdminAuditTest {

    private static final String PACKS = "/v1/tenants/acme/groups/portrait/packs";
    /** The fields every line of this table shares: the fixture's clock, the loopback client. */
    private static final String HEAD = "{\"time\":\"2026-01-15T00:00:00Z\",\"log\":\"audit\",\"address\":\"127.0.0.1\",";

    @TempDir
    Path dir;

    /**
     * One call and the line it writes; {@code line} null for a call that writes none. {@code KEY} in a path stands
     * for the id of the key the last call created; in a line, for any key id ({@code k_} and 12 hex digits).
     */
    record Row(String method, String path, String body, String token, String line) {
    }

    private static final List<Row> ROWS = List.of(
            new Row("POST", "/v1/tenants", "{\"id\":\"acme\",\"name\":\"Acme\"}", AdminFixture.TOKEN,
                    line("tenant.create", "acme", null, null, "KEY", null, null, 201, "ok")),
            new Row("POST", "/v1/tenants", "{\"id\":\"acme\"}", AdminFixture.TOKEN,
                    line("tenant.create", "acme", null, null, null, null, null, 409, "conflict")),
            new Row("POST", "/v1/tenants", "{\"id\":\"Bad Id\"}", AdminFixture.TOKEN,
                    line("tenant.create", "Bad Id", null, null, null, null, null, 422, "invalid")),
            new Row("POST", "/v1/tenants", "{\"id\":\"qg_acme.x7Kp2mQ9vR4sT8wY1zA3bC5dE6fG0hJ-\"}", AdminFixture.TOKEN,
                    line("tenant.create", "qg_acme.<redacted>", null, null, null, null, null, 422, "invalid")),
            new Row("GET", "/v1/tenants/acme", null, AdminFixture.TOKEN, null),
            new Row("POST", "/v1/tenants/acme/keys", null, AdminFixture.TOKEN,
                    line("key.create", "acme", null, null, "KEY", null, null, 201, "ok")),
            new Row("DELETE", "/v1/tenants/acme/keys/KEY", null, AdminFixture.TOKEN,
                    line("key.revoke", "acme", null, null, "KEY", null, null, 200, "ok")),
            new Row("DELETE", "/v1/tenants/acme/keys/k_nope", null, AdminFixture.TOKEN,
                    line("key.revoke", "acme", null, null, "k_nope", null, null, 404, "not_found")),
            new Row("POST", "/v1/tenants/acme/suspend", null, AdminFixture.TOKEN,
                    line("tenant.suspend", "acme", null, null, null, null, null, 200, "ok")),
            new Row("POST", "/v1/tenants/acme/resume", null, AdminFixture.TOKEN,
                    line("tenant.resume", "acme", null, null, null, null, null, 200, "ok")),
            new Row("POST", "/v1/tenants/nobody/suspend", null, AdminFixture.TOKEN,
                    line("tenant.suspend", "nobody", null, null, null, null, null, 404, "not_found")),
            new Row("PUT", "/v1/tenants/acme/groups/portrait/mode", "{\"mode\":\"qps\"}", AdminFixture.TOKEN,
                    line("mode.set", "acme", "portrait", null, null, null, "{\"mode\":\"qps\"}", 200, "ok")),
            new Row("PUT", "/v1/tenants/acme/groups/portrait/mode", "{\"mode\":\"fast\"}", AdminFixture.TOKEN,
                    line("mode.set", "acme", "portrait", null, null, null, "{\"mode\":\"fast\"}", 400, "bad_request")),
            new Row("POST", PACKS, "{\"calls\":1000,\"order_id\":\"o-1\"}", AdminFixture.TOKEN,
                    line("pack.grant", "acme", "portrait", "o-1", null, null, "{\"calls\":1000}", 200, "ok")),
            new Row("POST", PACKS, "{\"calls\":1000,\"order_id\":\"o-1\"}", AdminFixture.TOKEN,
                    line("pack.grant", "acme", "portrait", "o-1", null, null, "{\"calls\":1000}", 200, "ok")),
            new Row("POST", PACKS, "{\"calls\":10000,\"order_id\":\"o-1\",\"expires_at\":\"2027-06-01\"}", AdminFixture.TOKEN,
                    line("pack.grant", "acme", "portrait", "o-1", null, null,
                            "{\"calls\":10000,\"expires_at\":\"2027-06-01\"}", 409, "conflict")),
            new Row("POST", PACKS, "{\"calls\":", AdminFixture.TOKEN,
                    line("pack.grant", "acme", "portrait", null, null, null, null, 400, "bad_request")),
            new Row("POST", PACKS, "{\"calls\":1000,\"order_id\":\"o-2\"}", "a-wrong-token",
                    line("pack.grant", "acme", "portrait", null, null, null, null, 401, "unauthorized")),
            new Row("POST", PACKS, "{\"calls\":1000,\"order_id\":\"o-2\"}", null,
                    line("pack.grant", "acme", "portrait", null, null, null, null, 401, "unauthorized")),
            new Row("POST", "/v1/tenants/acme/groups/portrait/qps", "{\"qps\":60,\"months\":1,\"order_id\":\"q-1\"}",
                    AdminFixture.TOKEN, line("qps.buy", "acme", "portrait", "q-1", null, null,
                            "{\"qps\":60,\"months\":1}", 200, "ok")),
            new Row("POST", "/v1/tenants/acme/groups/portrait/templates", "{\"slots\":100,\"order_id\":\"t-1\"}",
                    AdminFixture.TOKEN, line("template.grant", "acme", "portrait", "t-1", null, null,
                            "{\"slots\":100}", 200, "ok")),
            new Row("GET", "/v1/tenants/acme/ledger", null, AdminFixture.TOKEN, null),
            new Row("GET", "/v1/quotes/pack?calls=1000", null, AdminFixture.TOKEN, null),
            new Row("POST", "/v1/config/reload", null, AdminFixture.TOKEN,
                    line("config.reload", null, null, null, null, null, null, 200, "ok")),
            new Row("POST", "/v1/events/ev-404/replay", null, AdminFixture.TOKEN,
                    line("event.replay", null, null, null, null, "ev-404", null, 404, "not_found")),
            new Row("GET", "/v1/nothing", null, "a-wrong-token", null));

    private static final Pattern KEY_ID = Pattern.compile("\"key_id\":\"(k_[0-9a-f]{12})\"");

    @Test
    void everyWritingCallWritesOneLineWithItsOutcomeAndReadsWriteNone() throws Exception {
        MutableClock clock = new MutableClock(AdminFixture.START);
        try (AdminFixture admin = AdminFixture.memory(dir, clock); LogCapture audit = LogCapture.messagesOf(AuditLog.LOGGER)) {
            List<String> expected = new ArrayList<>();
            List<String> secrets = new ArrayList<>(List.of(AdminFixture.TOKEN));
            String lastKeyId = null;
            for (Row row : ROWS) {
                String path = lastKeyId == null ? row.path() : row.path().replace("KEY", lastKeyId);
                AdminFixture.Response response = admin.call(row.method(), path, row.body(), row.token());
                Matcher created = KEY_ID.matcher(response.body());
                if (response.status() == 201 && created.find()) {
                    lastKeyId = created.group(1);
                    secrets.add(response.json().path("api_key").asText());
                }
                if (row.line() != null) {
                    expected.add(row.line());
                }
            }

            List<String> lines = audit.await(expected.size(), Duration.ofSeconds(5));
            assertThat(lines).hasSize(expected.size());
            for (int i = 0; i < lines.size(); i++) {
                assertThat(KEY_ID.matcher(lines.get(i)).replaceAll("\"key_id\":\"KEY\""))
                        .as("line %d", i + 1).isEqualTo(expected.get(i));
            }
            assertThat(String.join("\n", lines)).doesNotContain(secrets).doesNotContain("a-wrong-token")
                    .doesNotContain("x7Kp2mQ9vR4sT8wY1zA3bC5dE6fG0hJ-");
        }
    }

    private static String line(String operation, String tenant, String group, String orderId, String keyId,
                               String eventId, String detail, int status, String outcome) {
        return HEAD + "\"operation\":\"" + operation + "\",\"tenant\":" + q(tenant) + ",\"group\":" + q(group)
                + ",\"order_id\":" + q(orderId) + ",\"key_id\":" + q(keyId) + ",\"event_id\":" + q(eventId)
                + ",\"detail\":" + (detail == null ? "null" : detail) + ",\"status\":" + status
                + ",\"outcome\":\"" + outcome + "\"}";
    }

    private static String q(String value) {
        return value == null ? "null" : "\"" + value + "\"";
    }
}
