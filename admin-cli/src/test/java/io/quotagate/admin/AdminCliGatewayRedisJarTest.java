package io.quotagate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quotagate.gateway.Replica;
import io.quotagate.gateway.config.ConfigLoader;
import io.quotagate.gateway.testkit.AdminFixture;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RecordingUpstream.RecordedRequest;
import io.quotagate.gateway.testkit.RedisServerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's end-to-end test: the shaded jar ({@code java -jar target/quotagate-admin.jar}, its own JVM) against a real
 * gateway replica ({@link Replica}, public and admin listeners, config watcher) on a real Redis, for every command of
 * SPEC §5 and every exit code; and the business it runs checked through the public port (JDK {@link HttpClient}) and
 * the {@link RecordingUpstream} behind it. Runs in the package phase after the shade plugin; skipped when the jar was
 * not built.
 */
class AdminCliGatewayRedisJarTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Path JAR = Path.of("target", "quotagate-admin.jar");
    private static final String TOKEN = "jar-e2e-admin-token-7d41";
    private static final String GENERATE = "/v1/portrait/generate";
    private static final String PROMPT = "{\"prompt\":\"cat\"}";

    @TempDir
    static Path dir;

    private static Path configFile;
    private static String yaml;
    private static RecordingUpstream upstream;
    private static Replica gateway;
    private static String adminUrl;
    /** Runs independent commands together, so their JVM start-ups overlap. */
    private static ExecutorService pool;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(JAR), "the jar is built by mvn package");
        REDIS.flushAll();
        upstream = RecordingUpstream.start();
        yaml = yaml(upstream.url().toString(), REDIS.uri());
        configFile = dir.resolve("quotagate.yaml");
        Files.writeString(configFile, yaml);
        gateway = Replica.start(configFile, ConfigLoader.load(configFile));
        adminUrl = "http://127.0.0.1:" + gateway.adminPort();
        pool = Executors.newFixedThreadPool(4);
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void anOperatorRunsTheBusinessFromTheJarAndThePublicPortObeys() throws Exception {
        // tenant create: --json gives id and api_key; the human form prints the key once, on its own line.
        var acmeCreating = async("--json", "tenant", "create", "acme", "--name", "Acme Corp");
        var globexCreating = async("tenant", "create", "globex");
        JsonNode acmeJson = succeeded(acmeCreating).json();
        assertThat(acmeJson.path("id").asText()).isEqualTo("acme");
        String acmeKey = acmeJson.path("api_key").asText();
        assertThat(acmeKey).startsWith("qg_acme.").hasSize(40);
        Cli.Run globexCreated = succeeded(globexCreating);
        assertThat(globexCreated.out()).matches("Created tenant globex \\(active\\)\\.\nAPI key k_\\S+ \\(shown once, "
                + "store it now\\):\nqg_globex\\.\\S+\n");
        String globexKey = globexCreated.out().lines().toList().get(2);

        // tenant list, by flags and by the environment an operator would set instead.
        var listing = async("tenant", "list");
        var listingByEnv = async(Map.of(AdminCommand.URL_ENV, adminUrl, AdminCommand.TOKEN_ENV, TOKEN), "tenant", "list", "--json");
        String list = succeeded(listing).out();
        assertThat(list.lines().findFirst()).hasValueSatisfying(h -> assertThat(h).matches("ID +STATUS +CREATED +NAME"));
        assertThat(list).containsPattern("(?m)^acme +active +\\d{4}-\\d\\d-\\d\\dT\\S+Z +Acme Corp$")
                .containsPattern("(?m)^globex +active +\\d{4}-\\d\\d-\\d\\dT\\S+Z +-$");
        assertThat(list.lines()).hasSize(3);
        List<String> ids = new ArrayList<>();
        succeeded(listingByEnv).json().path("tenants").forEach(t -> ids.add(t.path("id").asText()));
        assertThat(ids).containsExactlyInAnyOrder("acme", "globex");

        // The key from tenant create works on the public port; the upstream gets the call, with the tenant's id.
        Reply first = generate(acmeKey);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.header("X-Calls-Remaining")).isEqualTo("199");
        assertThat(first.header("RateLimit-Policy")).as("acme's override").isEqualTo("\"qps\";q=20;w=1");
        RecordedRequest received = upstream.awaitRequest();
        assertThat(received.method()).isEqualTo("POST");
        assertThat(received.uri()).isEqualTo(GENERATE);
        assertThat(received.header("X-Tenant-Id")).isEqualTo("acme");
        assertThat(received.header("Authorization")).isNull();
        assertThat(received.bodyText()).isEqualTo(PROMPT);

        // pack grant: new, repeated (same lot), conflicting (409, exit 1); the header shows the new balance.
        Cli.Run granted = ok("pack", "grant", "acme", "portrait", "--calls", "1000", "--order", "o-1");
        Matcher grant = Pattern.compile("Granted 1000 calls to acme/portrait \\(lot (\\S+), expires (\\S+)\\), order o-1, "
                + "price 400 CNY\\.\n").matcher(granted.out());
        assertThat(grant.matches()).as(granted.out()).isTrue();
        String lotId = grant.group(1);
        var repeating = async("pack", "grant", "acme", "portrait", "--calls", "1000", "--order", "o-1", "--json");
        var conflicting = async("pack", "grant", "acme", "portrait", "--calls", "10000", "--order", "o-1");
        JsonNode again = succeeded(repeating).json();
        assertThat(again.path("lot").path("id").asText()).isEqualTo(lotId);
        assertThat(again.path("lot").path("calls").asLong()).isEqualTo(1000);
        assertThat(again.path("price").asLong()).isEqualTo(400);
        Cli.Run conflict = done(conflicting);
        assertThat(conflict.exit()).as(conflict.toString()).isEqualTo(1);
        assertThat(conflict.err()).isEqualTo("pack grant: order o-1 was used for another grant (409 conflict)\n");
        assertThat(conflict.out()).isEmpty();
        assertThat(generate(acmeKey).header("X-Calls-Remaining")).as("200 - 1 + 1000 - 1").isEqualTo("1198");

        // key create / revoke: the new key works, then is refused at once; the first key still works.
        JsonNode newKey = ok("key", "create", "acme", "--json").json();
        assertThat(fields(newKey)).containsExactly("key_id", "api_key");
        String keyId = newKey.path("key_id").asText();
        String secondKey = newKey.path("api_key").asText();
        assertThat(keyId).startsWith("k_");
        assertThat(secondKey).startsWith("qg_acme.").isNotEqualTo(acmeKey);
        Reply withSecond = generate(secondKey);
        assertThat(withSecond.status()).isEqualTo(200);
        assertThat(withSecond.header("X-Calls-Remaining")).isEqualTo("1197");
        assertThat(ok("key", "revoke", "acme", keyId).out())
                .matches("Key " + Pattern.quote(keyId) + " of acme revoked at \\d{4}-\\d\\d-\\d\\dT\\S+Z\\.\n");
        int forwarded = upstream.requestCount();
        Reply revoked = generate(secondKey);
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.errorCode()).isEqualTo("invalid_api_key");
        assertThat(upstream.requestCount()).isEqualTo(forwarded);
        assertThat(generate(acmeKey).header("X-Calls-Remaining")).isEqualTo("1196");

        // tenant suspend / resume: 403 tenant_suspended in between, not forwarded, not charged.
        assertThat(ok("tenant", "suspend", "acme").out()).isEqualTo("Tenant acme is suspended.\n");
        Reply suspended = generate(acmeKey);
        assertThat(suspended.status()).isEqualTo(403);
        assertThat(suspended.errorCode()).isEqualTo("tenant_suspended");
        assertThat(upstream.requestCount()).isEqualTo(forwarded + 1);
        assertThat(ok("tenant", "resume", "acme").out()).isEqualTo("Tenant acme is active.\n");
        assertThat(generate(acmeKey).header("X-Calls-Remaining")).isEqualTo("1195");

        // template grant; mode set and qps buy (--months, --days, and one over max_qps): the public port follows.
        var templates = async("template", "grant", "acme", "portrait", "--slots", "100", "--order", "t-1");
        var modeSet = async("mode", "set", "globex", "portrait", "qps");
        assertThat(succeeded(templates).out())
                .isEqualTo("Granted 100 template slots to acme/portrait (quota 120, used 0), order t-1, price 400 CNY.\n");
        assertThat(succeeded(modeSet).out())
                .isEqualTo("globex portrait: mode qps, QPS limit now 0.\n");
        Reply unpaid = generate(globexKey);
        assertThat(unpaid.status()).isEqualTo(402);
        assertThat(unpaid.errorCode()).isEqualTo("qps_not_purchased");
        JsonNode month = ok("qps", "buy", "globex", "portrait", "--qps", "60", "--months", "1", "--order", "q-1", "--json").json();
        assertThat(month.path("price").asLong()).isEqualTo(240000);
        assertThat(month.path("purchase").path("qps").asLong()).isEqualTo(60);
        Instant monthStart = Instant.parse(month.path("purchase").path("starts_at").asText());
        assertThat(Instant.parse(month.path("purchase").path("ends_at").asText()))
                .as("a calendar month in UTC").isEqualTo(monthStart.atZone(ZoneOffset.UTC).plusMonths(1).toInstant());
        Cli.Run week = ok("qps", "buy", "globex", "portrait", "--qps", "10", "--days", "7", "--order", "q-2");
        Matcher bought = Pattern.compile("Bought 10 QPS for globex/portrait from (\\S+) to (\\S+) \\(purchase \\S+\\), "
                + "order q-2, price 15400 CNY\\.\n").matcher(week.out());
        assertThat(bought.matches()).as(week.out()).isTrue();
        assertThat(Duration.between(Instant.parse(bought.group(1)), Instant.parse(bought.group(2)))).isEqualTo(Duration.ofDays(7));
        Cli.Run over = jar("qps", "buy", "globex", "portrait", "--qps", "231", "--days", "1", "--order", "q-3");
        assertThat(over.exit()).as(over.toString()).isEqualTo(1);
        assertThat(over.err()).startsWith("qps buy: active QPS would reach 301 ").endsWith("(max_qps 300) (422 invalid)\n");
        Reply paid = generate(globexKey);
        assertThat(paid.status()).isEqualTo(200);
        assertThat(paid.header("RateLimit-Policy")).as("60 + 10 bought").isEqualTo("\"qps\";q=70;w=1");
        assertThat(paid.header("X-Calls-Remaining")).as("QPS mode charges no calls").isNull();
        assertThat(upstream.awaitRequests(forwarded + 3, Duration.ofSeconds(5))).extracting(r -> r.header("X-Tenant-Id"))
                .containsExactly("acme", "acme", "acme", "acme", "acme", "globex");

        // Reads of what was done, together: tenant show (the SPEC §5 JSON fields, and the human form), key list,
        // usage, ledger; and a tenant key as admin token (exit 1).
        var acmeShowing = async("tenant", "show", "acme", "--json");
        var acmeShowingText = async("tenant", "show", "acme");
        var globexShowing = async("tenant", "show", "globex", "--json");
        var keyListing = async("key", "list", "acme");
        var usageReading = async("usage", "acme", "--group", "portrait", "--json");
        var usageReadingText = async("usage", "acme");
        var acmeLedger = async("ledger", "acme");
        var globexLedger = async("ledger", "globex", "--json");
        var tenantKeyAsToken = async(Map.of(), "--url", adminUrl, "--token", acmeKey, "tenant", "show", "acme");

        JsonNode acme = succeeded(acmeShowing).json();
        assertThat(acme.path("id").asText()).isEqualTo("acme");
        assertThat(acme.path("status").asText()).isEqualTo("active");
        JsonNode portrait = acme.path("groups").path("portrait");
        assertThat(portrait.path("mode").asText()).isEqualTo("count");
        assertThat(portrait.path("calls_remaining").asLong()).isEqualTo(1195);
        assertThat(portrait.path("qps_limit").asLong()).isEqualTo(20);
        assertThat(portrait.path("lots")).hasSize(2);
        JsonNode free = lot(portrait, "free");
        assertThat(free.path("calls").asLong()).isEqualTo(200);
        assertThat(free.path("remaining").asLong()).as("free lot first (rule 2)").isEqualTo(195);
        JsonNode paidLot = lot(portrait, "paid");
        assertThat(paidLot.path("id").asText()).isEqualTo(lotId);
        assertThat(paidLot.path("calls").asLong()).isEqualTo(1000);
        assertThat(paidLot.path("remaining").asLong()).isEqualTo(1000);
        assertThat(paidLot.path("expires_at").asText()).isEqualTo(grant.group(2));
        assertThat(portrait.path("qps_purchases")).isEmpty();
        assertThat(portrait.path("templates").path("quota").asLong()).isEqualTo(120);
        assertThat(portrait.path("templates").path("used").asLong()).isZero();
        assertThat(succeeded(acmeShowingText).out())
                .startsWith("Tenant acme (Acme Corp): active, created ")
                .contains("\n\nGroup portrait: mode count, calls remaining 1195, QPS limit 20, templates 0/120 used\n")
                .containsPattern("(?m)^\\S+ +free +200 +195 +\\S+Z +-$")
                .containsPattern("(?m)^" + Pattern.quote(lotId) + " +paid +1000 +1000 +\\S+Z +o-1$");
        JsonNode globex = succeeded(globexShowing).json().path("groups").path("portrait");
        assertThat(globex.path("mode").asText()).isEqualTo("qps");
        assertThat(globex.path("qps_limit").asLong()).isEqualTo(70);
        assertThat(globex.path("calls_remaining").asLong()).isEqualTo(200);
        assertThat(globex.path("qps_purchases")).extracting(p -> p.path("qps").asLong()).containsExactlyInAnyOrder(60L, 10L);
        assertThat(globex.path("qps_purchases")).allSatisfy(p -> assertThat(p.path("active").asBoolean()).isTrue());

        String keys = succeeded(keyListing).out();
        assertThat(keys.lines()).hasSize(3).first().asString().matches("KEY_ID +STATUS +CREATED +REVOKED");
        assertThat(keys).containsPattern("(?m)^" + Pattern.quote(keyId) + " +revoked +\\S+Z +\\S+Z$")
                .containsPattern("(?m)^k_\\S+ +active +\\S+Z +-$");

        // usage: what the public port admitted, charged (all from the free lot) and rejected.
        JsonNode usage = succeeded(usageReading).json().path("totals").path("portrait");
        assertThat(usage.path("admitted").asLong()).isEqualTo(5);
        assertThat(usage.path("charged").asLong()).isEqualTo(5);
        assertThat(usage.path("charged_free").asLong()).isEqualTo(5);
        assertThat(usage.path("refunded").asLong()).isZero();
        assertThat(usage.path("rejected").path("tenant_suspended").asLong()).isEqualTo(1);
        assertThat(succeeded(usageReadingText).out()).startsWith("Usage of acme from ")
                .containsPattern("(?m)^DATE +GROUP +ADMITTED +CHARGED +FROM_FREE +REFUNDED +REJECTED$")
                .containsPattern("(?m)^total +portrait +5 +5 +5 +0 +tenant_suspended=1$");

        // ledger: every grant with the catalog price in force.
        assertThat(succeeded(acmeLedger).out()).startsWith("AT").contains("tenant_created").contains("key_revoked")
                .containsPattern("(?m) pack_granted +portrait +o-1 +400 CNY( |$)")
                .containsPattern("(?m) templates_granted +portrait +t-1 +400 CNY( |$)")
                .contains("suspended").contains("resumed");
        JsonNode ledger = succeeded(globexLedger).json().path("entries");
        assertThat(ledger).filteredOn(e -> e.path("kind").asText().equals("qps_bought"))
                .extracting(e -> e.path("order_id").asText() + " " + e.path("price").asLong() + " " + e.path("currency").asText())
                .containsExactlyInAnyOrder("q-1 240000 CNY", "q-2 15400 CNY");
        assertThat(ledger).extracting(e -> e.path("kind").asText()).contains("mode_set").doesNotContain("pack_granted");

        // A tenant key is no admin token; the public port serves no admin path.
        Cli.Run tenantKey = done(tenantKeyAsToken);
        assertThat(tenantKey.exit()).as(tenantKey.toString()).isEqualTo(1);
        assertThat(tenantKey.err()).isEqualTo("tenant show: tenant API keys are not accepted on the admin port: use the "
                + "admin token (401 unauthorized)\n");
        Reply adminOnPublic = send("GET", "/v1/tenants", "Bearer " + TOKEN, null);
        assertThat(adminOnPublic.status()).isEqualTo(404);
        assertThat(adminOnPublic.errorCode()).isEqualTo("route_not_found");

        // config show / reload: unchanged, refused (invalid file changes nothing), applied (a lower limit for the
        // next request, the balance as it was).
        String hash = ConfigLoader.load(configFile).contentHash();
        assertThat(ok("config", "show").out()).startsWith("source:       " + configFile + "\ncontent hash: " + hash + "\n{")
                .contains("\"token\" : \"<redacted>\"").contains("\"address\" : \"" + REDIS.uri() + "\"")
                .doesNotContain(TOKEN);
        assertThat(ok("config", "reload").out()).isEqualTo("Config unchanged (sha256 " + hash + ").\n");
        Files.writeString(configFile, yaml.replace("count_mode_qps: 10", "count_mode_qps: zero"));
        Cli.Run refused = jar("config", "reload");
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).startsWith("config reload: " + configFile + ":" + lineOf(yaml, "count_mode_qps: 10")
                + ": groups.portrait.count_mode_qps: ").endsWith("(422 config_invalid)\n");
        assertThat(ok("config", "show", "--json").json().path("content_hash").asText()).isEqualTo(hash);
        String lowered = yaml.replace("acme: { portrait: { count_mode_qps: 20 } }", "acme: { portrait: { count_mode_qps: 5 } }");
        Files.writeString(configFile, lowered);
        String newHash = ConfigLoader.load(configFile).contentHash();
        assertThat(newHash).isNotEqualTo(hash);
        // The directory watcher may apply the edit before the call does: then the call finds it unchanged.
        assertThat(ok("config", "reload").out()).matches("Config (reloaded: " + Pattern.quote(configFile.toString())
                + " now in force|unchanged) \\(sha256 " + newHash + "\\)\\.\n");
        Reply limited = generate(acmeKey);
        assertThat(limited.status()).isEqualTo(200);
        assertThat(limited.header("RateLimit-Policy")).isEqualTo("\"qps\";q=5;w=1");
        assertThat(limited.header("X-Calls-Remaining")).isEqualTo("1194");
    }

    @Test
    void quotesOfflineValidationAndEveryFailureExitCode() throws Exception {
        Path good = dir.resolve("candidate.yaml");
        Files.writeString(good, yaml);
        Path bad = dir.resolve("broken.yaml");
        Files.writeString(bad, yaml.replace("cost: 1 }", "cost: -1 }"));
        int closed = AdminCliUsageTest.closedPort();
        // Independent runs: started together so the JVM start-ups overlap.
        var packQuote = async("quote", "pack", "1000");
        var monthQuote = async("quote", "qps", "60", "--months", "1");
        var dayQuote = async("--json", "quote", "qps", "10", "--days", "7");
        var templateQuote = async("quote", "template", "100");
        var valid = async(Map.of(), "config", "validate", good.toString());
        var invalid = async(Map.of(), "config", "validate", bad.toString());
        var negative = async("pack", "grant", "acme", "portrait", "--calls", "-5", "--order", "o");
        var noTerm = async("qps", "buy", "acme", "portrait", "--qps", "10", "--order", "q");
        var noOrder = async("template", "grant", "acme", "portrait", "--slots", "100");
        var unreachable = async(Map.of(), "--url", "http://127.0.0.1:" + closed, "--token", TOKEN, "config", "reload");
        var wrongToken = async(Map.of(), "--url", adminUrl, "--token", "guess", "tenant", "list");
        var missing = async("tenant", "show", "nobody");

        assertThat(succeeded(packQuote).out()).isEqualTo("1000-call pack: 400 CNY\n");
        assertThat(succeeded(monthQuote).out()).isEqualTo("60 QPS for 1 month: 60 × 1 × 4000 = 240000 CNY\n");
        assertThat(succeeded(dayQuote).json().path("price").asLong()).isEqualTo(15400);
        assertThat(succeeded(templateQuote).out()).isEqualTo("100 template slots: 400 CNY\n");

        assertThat(succeeded(valid).out()).isEqualTo(good + ": valid (groups: portrait; store: redis; sha256 "
                + ConfigLoader.load(good).contentHash() + ")\n");
        Cli.Run rejected = done(invalid);
        assertThat(rejected.exit()).as(rejected.toString()).isEqualTo(1);
        assertThat(rejected.err()).startsWith("config validate: " + bad + ":" + lineOf(yaml, "cost: 1 }")
                + ": groups.portrait.routes[0].cost: -1");
        assertThat(rejected.out()).isEmpty();

        Cli.Run usage = done(negative);
        assertThat(usage.exit()).as(usage.toString()).isEqualTo(2);
        assertThat(usage.err()).startsWith("pack grant: --calls must be positive\n");
        assertThat(done(noTerm).exit()).isEqualTo(2);
        assertThat(done(noTerm).err()).startsWith("qps buy: exactly one of --days and --months is required\n");
        assertThat(done(noOrder).exit()).isEqualTo(2);
        assertThat(done(noOrder).err()).startsWith("template grant: Missing required option: '--order=ORDER'");

        Cli.Run down = done(unreachable);
        assertThat(down.exit()).as(down.toString()).isEqualTo(3);
        assertThat(down.err()).isEqualTo("config reload: cannot reach the gateway at http://127.0.0.1:" + closed
                + ": connection refused\n");

        Cli.Run wrong = done(wrongToken);
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err()).isEqualTo("tenant list: the admin token is not valid (401 unauthorized)\n");
        assertThat(done(missing).exit()).isEqualTo(1);
        assertThat(done(missing).err()).isEqualTo("tenant show: no tenant nobody (404 not_found)\n");
    }

    // --- the jar

    /** Runs the jar against the replica's admin port with the admin token; exit 0 and nothing on stderr. */
    private static Cli.Run ok(String... args) throws IOException, InterruptedException {
        Cli.Run run = jar(args);
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err()).as(run.toString()).isEmpty();
        return run;
    }

    /** Runs the jar with {@code --url} (the replica's admin port) and {@code --token} before {@code args}. */
    private static Cli.Run jar(String... args) throws IOException, InterruptedException {
        return jar(Map.of(), asAdmin(args));
    }

    private static String[] asAdmin(String... args) {
        List<String> all = new ArrayList<>(List.of("--url", adminUrl, "--token", TOKEN));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    /** {@code java -jar target/quotagate-admin.jar ARGS} with {@code env} added to this environment (minus its
     *  {@code QUOTAGATE_ADMIN_*}). */
    private static Cli.Run jar(Map<String, String> env, String... args) throws IOException, InterruptedException {
        // The JVM prints its own warnings on stdout unless told otherwise (a stale /tmp/hsperfdata lock once put one
        // in front of the JSON under test): no perf-data file, and JVM warnings on stderr only (-Xlog:disable first:
        // the default logging prints warnings on stdout, and another -Xlog output would only add stderr to it).
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=warning:stderr", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove(AdminCommand.URL_ENV);
        builder.environment().remove(AdminCommand.TOKEN_ENV);
        builder.environment().putAll(env);
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process process = builder.redirectError(err.toFile()).start();
        process.getOutputStream().close();
        byte[] out;
        try (var in = process.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("quotagate-admin did not exit: " + command);
        }
        return new Cli.Run(process.exitValue(), new String(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** {@link #jar(String...)} on {@link #pool}. */
    private static CompletableFuture<Cli.Run> async(String... args) {
        return async(Map.of(), asAdmin(args));
    }

    /** {@link #jar(Map, String...)} on {@link #pool}. */
    private static CompletableFuture<Cli.Run> async(Map<String, String> env, String... args) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return jar(env, args);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }, pool);
    }

    private static Cli.Run done(CompletableFuture<Cli.Run> run) throws Exception {
        return run.get(60, TimeUnit.SECONDS);
    }

    /** The run's result, asserted: exit 0 and nothing on stderr. */
    private static Cli.Run succeeded(CompletableFuture<Cli.Run> run) throws Exception {
        Cli.Run result = done(run);
        assertThat(result.exit()).as(result.toString()).isZero();
        assertThat(result.err()).as(result.toString()).isEmpty();
        return result;
    }

    // --- the public port

    private Reply generate(String apiKey) {
        return send("POST", GENERATE, "Bearer " + apiKey, PROMPT);
    }

    private Reply send(String method, String path, String authorization, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", authorization)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " on the public port failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private record Reply(int status, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        String errorCode() {
            try {
                return AdminClient.JSON.readTree(body).path("error").path("code").asText();
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }
    }

    // --- config and JSON

    /** SPEC §4's example config on the test's Redis and upstream, ports 0, this test's admin token. */
    private static String yaml(String upstreamUrl, String redisUri) {
        return """
                server: { bind: 127.0.0.1, port: 0, shutdown_timeout: 1s }
                admin: { port: 0, bind: 127.0.0.1, token: "%s" }
                upstream: { url: "%s", connect_timeout: 1s, response_timeout: 5s }
                store:
                  type: redis
                  redis: { address: "%s", timeout: 2s }
                  on_error: reject
                """.formatted(TOKEN, upstreamUrl, redisUri) + AdminFixture.SEED_PLAN;
    }

    /** The 1-based line of the first occurrence of {@code text}. */
    private static int lineOf(String text, String needle) {
        int at = text.indexOf(needle);
        assertThat(at).as(needle).isNotNegative();
        return (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode lot(JsonNode group, String source) {
        List<JsonNode> lots = new ArrayList<>();
        group.path("lots").forEach(l -> {
            if (l.path("source").asText().equals(source)) {
                lots.add(l);
            }
        });
        assertThat(lots).as(source + " lots of " + group).hasSize(1);
        return lots.get(0);
    }
}
