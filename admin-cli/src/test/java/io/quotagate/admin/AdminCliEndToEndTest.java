package io.quotagate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quotagate.gateway.store.UnchargedEntry;
import io.quotagate.gateway.testkit.AdminFixture;
import io.quotagate.gateway.testkit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command against a real admin listener backed by the memory store, in-process; exit codes 0 and 1. */
class AdminCliEndToEndTest {

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(AdminFixture.START);
    private AdminFixture admin;
    private Cli cli;

    @BeforeEach
    void start() throws Exception {
        admin = AdminFixture.memory(dir, clock);
        cli = Cli.at(admin.url(), AdminFixture.TOKEN);
    }

    @AfterEach
    void stop() {
        admin.close();
    }

    @Test
    void tenantListLowShowsActiveCountModeTenantsUnderTheThreshold() {
        ok("tenant", "create", "acme");
        ok("tenant", "create", "globex");
        ok("tenant", "create", "initech");
        ok("tenant", "create", "umbrella");
        ok("pack", "grant", "globex", "portrait", "--calls", "1000", "--order", "o-1");
        ok("tenant", "suspend", "initech");
        ok("mode", "set", "umbrella", "portrait", "qps");

        // 200 free calls each: under the default threshold (20) nobody is low; under 201, acme only.
        assertThat(ok("tenant", "list", "--low").out()).isEqualTo("No tenant has fewer than 20 calls left.\n");
        assertThat(ok("tenant", "list", "--low", "--threshold", "201").out())
                .matches("TENANT +GROUP +CALLS LEFT\nacme +portrait +200\n");
        JsonNode json = ok("tenant", "list", "--low", "--threshold", "1201", "--json").json();
        assertThat(json.path("threshold").asLong()).isEqualTo(1201);
        assertThat(json.path("tenants_read").asInt()).isEqualTo(4);
        assertThat(json.path("truncated").asBoolean()).isFalse();
        assertThat(json.path("low").toString()).isEqualTo("[{\"tenant\":\"acme\",\"group\":\"portrait\",\"calls_remaining\":200},"
                + "{\"tenant\":\"globex\",\"group\":\"portrait\",\"calls_remaining\":1200}]");

        assertThat(cli.run("tenant", "list", "--threshold", "5").exit()).isEqualTo(2);
        assertThat(cli.run("tenant", "list", "--low", "--threshold", "0").exit()).isEqualTo(2);
    }

    @Test
    void tenantCommands() {
        Cli.Run created = ok("tenant", "create", "acme", "--name", "Acme Corp");
        assertThat(created.out()).startsWith("Created tenant acme (active).\nAPI key k_");
        assertThat(created.out().lines().toList().get(2)).startsWith("qg_acme.").hasSize(40);
        JsonNode json = ok("tenant", "create", "globex", "--json").json();
        assertThat(json.path("id").asText()).isEqualTo("globex");
        assertThat(json.path("api_key").asText()).startsWith("qg_globex.");

        assertThat(ok("tenant", "list").out()).matches("(?s)ID +STATUS +CREATED +NAME\nacme +active +2026-01-15T00:00:00Z +Acme Corp\n"
                + "globex +active +2026-01-15T00:00:00Z +-\n");
        assertThat(ok("tenant", "show", "acme").out())
                .startsWith("Tenant acme (Acme Corp): active, created 2026-01-15T00:00:00Z\n\n"
                        + "Group portrait: mode count, calls remaining 200, QPS limit 20, templates 0/20 used\n")
                .containsPattern("L\\S* +free +200 +200 +2027-01-15T00:00:00Z");
        JsonNode shown = ok("tenant", "show", "acme", "--json").json();
        JsonNode portrait = shown.path("groups").path("portrait");
        assertThat(shown.path("status").asText()).isEqualTo("active");
        assertThat(portrait.path("calls_remaining").asLong()).isEqualTo(200);
        assertThat(portrait.path("qps_limit").asLong()).isEqualTo(20);
        assertThat(portrait.path("lots").get(0).path("expires_at").asText()).isEqualTo("2027-01-15T00:00:00Z");
        assertThat(portrait.path("templates").path("quota").asLong()).isEqualTo(20);

        assertThat(ok("tenant", "suspend", "acme").out()).isEqualTo("Tenant acme is suspended.\n");
        assertThat(ok("tenant", "resume", "acme").out()).isEqualTo("Tenant acme is active.\n");
        Cli.Run missing = cli.run("tenant", "show", "nobody");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("tenant show: no tenant nobody (404 not_found)\n");
        Cli.Run duplicate = cli.run("tenant", "create", "acme");
        assertThat(duplicate.exit()).isEqualTo(1);
        assertThat(duplicate.err()).startsWith("tenant create: tenant acme exists (409 conflict)");
    }

    @Test
    void eventCommandsListAndReplayThroughTheAdminApi() {
        io.quotagate.gateway.events.EventStore events = admin.events();
        events.emit(new io.quotagate.gateway.events.BillingEvent("calls_low:acme:portrait:20:g0",
                io.quotagate.gateway.events.EventType.CALLS_LOW, "acme", "portrait", AdminFixture.START,
                java.util.Map.of("calls_remaining", 19L)));
        events.claim(AdminFixture.START, java.time.Duration.ofSeconds(30));
        events.failed("calls_low:acme:portrait:20:g0", "status 500", null);

        assertThat(ok("events", "list").out()).matches("(?s)ID +TYPE +TENANT +GROUP +OCCURRED +STATUS +ATTEMPTS +LAST_ERROR\n"
                + "calls_low:acme:portrait:20:g0 +calls_low +acme +portrait +2026-01-15T00:00:00Z +failed +1 +status 500\n");
        JsonNode listed = ok("events", "list", "--limit", "1", "--json").json().path("events").get(0);
        assertThat(listed.path("event").path("data").path("calls_remaining").asLong()).isEqualTo(19);

        assertThat(ok("events", "replay", "calls_low:acme:portrait:20:g0").out())
                .isEqualTo("Event calls_low:acme:portrait:20:g0 queued for delivery (status pending).\n");
        assertThat(ok("events", "list", "--json").json().path("events").get(0).path("status").asText()).isEqualTo("pending");
        Cli.Run unknown = cli.run("events", "replay", "nope");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("events replay: no event nope (404 not_found)\n");
        assertThat(cli.run("events", "list", "--limit", "0").exit()).isEqualTo(2);
    }

    @Test
    void keyAndModeCommands() {
        ok("tenant", "create", "acme");
        JsonNode key = ok("key", "create", "acme", "--json").json();
        assertThat(key.path("key_id").asText()).startsWith("k_");
        assertThat(key.path("api_key").asText()).startsWith("qg_acme.");
        assertThat(ok("key", "create", "acme").out()).startsWith("API key k_").contains("\nqg_acme.");
        assertThat(ok("key", "list", "acme").out().lines()).hasSize(4).first().asString().startsWith("KEY_ID");
        String keyId = key.path("key_id").asText();
        assertThat(ok("key", "revoke", "acme", keyId).out())
                .isEqualTo("Key " + keyId + " of acme revoked at 2026-01-15T00:00:00Z.\n");
        JsonNode keys = ok("key", "list", "acme", "--json").json().path("keys");
        assertThat(keys).filteredOn(k -> k.path("key_id").asText().equals(keyId)).singleElement()
                .satisfies(k -> assertThat(k.path("active").asBoolean()).isFalse());
        assertThat(keys).filteredOn(k -> k.path("active").asBoolean()).hasSize(2);
        assertThat(cli.run("key", "revoke", "acme", "k_nope").exit()).isEqualTo(1);

        assertThat(ok("mode", "set", "acme", "portrait", "qps").out()).isEqualTo("acme portrait: mode qps, QPS limit now 0.\n");
        Cli.Run unknown = cli.run("mode", "set", "acme", "video", "qps");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("mode set: no group video (groups: portrait) (404 not_found)\n");
    }

    @Test
    void grantsAreIdempotentByOrderAndConflictsExitOne() {
        ok("tenant", "create", "acme");
        Cli.Run granted = ok("pack", "grant", "acme", "portrait", "--calls", "1000", "--order", "o-1");
        assertThat(granted.out()).matches("Granted 1000 calls to acme/portrait \\(lot \\S+, expires 2027-01-15T00:00:00Z\\), "
                + "order o-1, price 400 CNY\\.\n");
        assertThat(ok("pack", "grant", "acme", "portrait", "--calls", "1000", "--order", "o-1").out())
                .isEqualTo(granted.out());
        Cli.Run conflict = cli.run("pack", "grant", "acme", "portrait", "--calls", "10000", "--order", "o-1");
        assertThat(conflict.exit()).isEqualTo(1);
        assertThat(conflict.err()).isEqualTo("pack grant: order o-1 was used for another grant (409 conflict)\n");
        assertThat(ok("tenant", "show", "acme", "--json").json().path("groups").path("portrait")
                .path("calls_remaining").asLong()).isEqualTo(1200);

        ok("mode", "set", "acme", "portrait", "qps");
        JsonNode bought = ok("qps", "buy", "acme", "portrait", "--qps", "60", "--months", "1", "--order", "q-1", "--json").json();
        assertThat(bought.path("price").asLong()).isEqualTo(240000);
        assertThat(bought.path("purchase").path("ends_at").asText()).isEqualTo("2026-02-15T00:00:00Z");
        assertThat(ok("qps", "buy", "acme", "portrait", "--qps", "10", "--days", "7", "--order", "q-2",
                "--start", "2026-03-01").out()).isEqualTo("Bought 10 QPS for acme/portrait from 2026-03-01T00:00:00Z to "
                        + "2026-03-08T00:00:00Z (purchase " + ledgerlessId(bought) + "), order q-2, price 15400 CNY.\n");
        Cli.Run over = cli.run("qps", "buy", "acme", "portrait", "--qps", "241", "--days", "1", "--order", "q-3");
        assertThat(over.exit()).isEqualTo(1);
        assertThat(over.err()).startsWith("qps buy: ").contains("max_qps 300").endsWith("(422 invalid)\n");
        assertThat(ok("tenant", "show", "acme", "--json").json().path("groups").path("portrait").path("qps_limit")
                .asLong()).isEqualTo(60);

        assertThat(ok("template", "grant", "acme", "portrait", "--slots", "100", "--order", "t-1").out())
                .isEqualTo("Granted 100 template slots to acme/portrait (quota 120, used 0), order t-1, price 400 CNY.\n");
        assertThat(ok("pack", "grant", "acme", "portrait", "--calls", "1500", "--order", "gift-1").out())
                .endsWith("order gift-1, price none (off catalog).\n");
    }

    @Test
    void usageAndLedger() {
        ok("tenant", "create", "acme");
        ok("pack", "grant", "acme", "portrait", "--calls", "1000", "--order", "o-1");
        assertThat(ok("usage", "acme").out()).isEqualTo("Usage of acme from 2025-12-17 to 2026-01-15:\nNo usage.\n");
        assertThat(ok("usage", "acme", "--group", "portrait", "--from", "2026-01-01", "--to", "2026-01-02", "--json")
                .json().path("from").asText()).isEqualTo("2026-01-01");
        assertThat(cli.run("usage", "acme", "--group", "video").exit()).isEqualTo(1);
        String ledger = ok("ledger", "acme").out();
        assertThat(ledger).startsWith("AT").contains("tenant_created").containsPattern("pack_granted +portrait +o-1 +400 CNY");
        assertThat(ok("ledger", "acme", "--json").json().path("entries").size()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void theLedgerShowsWhatAReplicaForwardedUnchargedWhileTheStoreWasDown() {
        ok("tenant", "create", "acme");
        Instant first = Instant.parse("2026-01-14T23:59:50Z");
        admin.store().recordUncharged(new UnchargedEntry("k3x9.1", "acme", "portrait", 12, 12, first,
                first.plusMillis(4250), "k3x9")).toCompletableFuture().join();

        assertThat(ok("ledger", "acme").out()).containsPattern("\n2026-01-15T00:00:00Z +uncharged_admissions +portrait +- +- +"
                + "requests=12 calls=12 first=2026-01-14T23:59:50Z last=2026-01-14T23:59:54.250Z replica=k3x9 id=k3x9.1\n");
        JsonNode entry = ok("ledger", "acme", "--json").json().path("entries").get(3);
        assertThat(entry.path("kind").asText()).isEqualTo("uncharged_admissions");
        assertThat(entry.path("group").asText()).isEqualTo("portrait");
        assertThat(entry.path("order_id").isNull()).isTrue();
        assertThat(entry.path("price").isNull()).isTrue();
    }

    @Test
    void quotesUseTheSeedFigures() {
        assertThat(ok("quote", "pack", "1000").out()).isEqualTo("1000-call pack: 400 CNY\n");
        assertThat(ok("quote", "qps", "60", "--months", "1").out()).isEqualTo("60 QPS for 1 month: 60 × 1 × 4000 = 240000 CNY\n");
        assertThat(ok("quote", "qps", "60", "--months", "1", "--json").json().path("price").asLong()).isEqualTo(240000);
        assertThat(ok("quote", "qps", "10", "--days", "7").out()).isEqualTo("10 QPS for 7 days: 10 × 7 × 220 = 15400 CNY\n");
        assertThat(ok("quote", "template", "100").out()).isEqualTo("100 template slots: 400 CNY\n");
        Cli.Run odd = cli.run("quote", "pack", "1500");
        assertThat(odd.exit()).isEqualTo(1);
        assertThat(odd.err()).isEqualTo("quote pack: no 1500-call pack in the catalog; pack sizes: 1000, 10000, 100000, "
                + "1000000, 10000000 (422 invalid)\n");
    }

    @Test
    void configShowAndReload() throws Exception {
        assertThat(ok("config", "show").out()).startsWith("source:       " + admin.configFile() + "\ncontent hash: "
                + admin.config().contentHash() + "\n{").contains("\"token\" : \"<redacted>\"");
        assertThat(ok("config", "reload").out()).isEqualTo("Config unchanged (sha256 " + admin.config().contentHash() + ").\n");
        String yaml = Files.readString(admin.configFile());
        Files.writeString(admin.configFile(), yaml.replace("count_mode_qps: 10", "count_mode_qps: 5"));
        assertThat(ok("config", "reload").out()).isEqualTo("Config reloaded: " + admin.configFile() + " now in force (sha256 "
                + admin.config().contentHash() + ").\n");
        Files.writeString(admin.configFile(), yaml.replace("count_mode_qps: 10", "count_mode_qps: zero"));
        Cli.Run refused = cli.run("config", "reload");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).startsWith("config reload: " + admin.configFile() + ":8: groups.portrait.count_mode_qps: ")
                .endsWith("(422 config_invalid)\n");
    }

    @Test
    void aMissingOrWrongTokenOrATenantKeyIsRefusedWithExitOne() {
        Cli.Run none = Cli.at(admin.url(), null).run("tenant", "list");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).isEqualTo("tenant list: the admin token is required: send Authorization: Bearer <admin token> "
                + "(401 unauthorized)\n");
        Cli.Run wrong = cli.run("tenant", "list", "--token", "guess");
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err()).isEqualTo("tenant list: the admin token is not valid (401 unauthorized)\n");
        String apiKey = ok("tenant", "create", "acme", "--json").json().path("api_key").asText();
        Cli.Run tenantKey = cli.run("--token", apiKey, "tenant", "show", "acme");
        assertThat(tenantKey.exit()).isEqualTo(1);
        assertThat(tenantKey.err()).isEqualTo("tenant show: tenant API keys are not accepted on the admin port: use the "
                + "admin token (401 unauthorized)\n");
    }

    private Cli.Run ok(String... args) {
        Cli.Run run = cli.run(args);
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err()).as(run.toString()).isEmpty();
        return run;
    }

    /** The second purchase's id: the memory store numbers purchases, so it follows the first one's. */
    private String ledgerlessId(JsonNode first) {
        return admin.get("/v1/tenants/acme").json().path("groups").path("portrait").path("qps_purchases").get(1)
                .path("id").asText();
    }
}
