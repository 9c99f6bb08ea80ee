package io.quotagate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quotagate.gateway.Replica;
import io.quotagate.gateway.e2e.GatewayHttp.Reply;
import io.quotagate.gateway.testkit.PrometheusExpressions;
import io.quotagate.gateway.testkit.PrometheusServer;
import io.quotagate.gateway.testkit.PrometheusTools;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RedisServerExtension;
import io.quotagate.gateway.testkit.UpstreamReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica on a real Redis and a real upstream, with its status listener and access log on: known traffic, then
 * the exact counters a scrape shows (per outcome, group and tenant), the access log's lines, and X-Request-Id end to
 * end. The first test counts from a fresh replica, so the tests run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityE2eTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    static final String ADMIN_TOKEN = "obs-admin-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{32}");

    @TempDir
    static Path dir;

    static RecordingUpstream upstream;
    static Accounts accounts;
    static Replicas replicas;
    static Replica gateway;
    static Path configFile;
    static String acmeKey;
    static String flakyKey;
    final GatewayHttp http = new GatewayHttp();

    @BeforeAll
    static void start() {
        upstream = RecordingUpstream.start();
        // The "flaky" tenant's calls fail upstream (500: refunded); everyone else's succeed.
        upstream.respondWith(r -> "flaky".equals(r.header("X-Tenant-Id")) ? UpstreamReply.status(500)
                : UpstreamReply.ok("{\"ok\":true}").header("X-Request-Id", "the-upstreams-own"));
        accounts = new Accounts(REDIS.uri());
        acmeKey = accounts.create("acme", 3, 20);
        flakyKey = accounts.create("flaky", 5, 20);
        configFile = write(dir.resolve("quotagate.yaml"), E2eConfig.of(upstream.url().toString(), REDIS.uri()).yaml()
                + observability(dir.resolve("access.log"), true));
        replicas = new Replicas();
        gateway = replicas.start(configFile);
    }

    /** The sections this test turns on: admin with a token, the status listener, the access log, a fast low-calls count. */
    static String observability(Path accessLog, boolean tenantLabel) {
        return """
                admin: { bind: 127.0.0.1, port: 0, token: %s }
                status: { bind: 127.0.0.1, port: 0 }
                access_log: { file: "%s" }
                metrics: { tenant_label: %s, low_calls: { threshold: 20, interval: 200ms } }
                """.formatted(ADMIN_TOKEN, accessLog, tenantLabel);
    }

    @AfterAll
    static void stop() {
        replicas.close();
        accounts.close();
        upstream.close();
    }

    @Test
    @Order(1)
    void aScrapeAfterKnownTrafficShowsExactCountsPerOutcomeGroupAndTenant() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(http.send(gateway.port(), "POST", "/v1/portrait/generate?trace=" + i,
                    "Authorization", "Bearer " + acmeKey).status()).isEqualTo(200);
        }
        assertThat(http.generate(gateway.port(), acmeKey).errorCode()).isEqualTo("calls_exhausted");
        assertThat(http.generate(gateway.port(), flakyKey).status()).isEqualTo(500);
        assertThat(http.generate(gateway.port(), flakyKey).status()).isEqualTo(500);
        assertThat(http.send(gateway.port(), "POST", "/v1/portrait/generate").errorCode()).isEqualTo("missing_api_key");
        assertThat(http.generate(gateway.port(), acmeKey.substring(0, acmeKey.length() - 4) + "AAAA").errorCode())
                .isEqualTo("invalid_api_key");
        assertThat(http.send(gateway.port(), "GET", "/nowhere", "X-Api-Key", acmeKey).errorCode())
                .isEqualTo("route_not_found");

        // The last request is counted on the gateway's event loop right after its response was flushed.
        Poll.until("requests counted", Duration.ofSeconds(5),
                () -> value(scrape(), "quotagate_request_duration_seconds_count"), 9.0);
        String text = scrape();
        assertThat(value(text, requests("portrait", "forwarded", "acme"))).isEqualTo(3);
        assertThat(value(text, requests("portrait", "calls_exhausted", "acme"))).isEqualTo(1);
        assertThat(value(text, requests("portrait", "forwarded", "flaky"))).isEqualTo(2);
        assertThat(value(text, requests("portrait", "missing_api_key", ""))).isEqualTo(1);
        assertThat(value(text, requests("portrait", "invalid_api_key", ""))).isEqualTo(1);
        assertThat(value(text, requests("", "route_not_found", ""))).isEqualTo(1);
        assertThat(value(text, requests("portrait", "qps_exceeded", ""))).as("present at 0 from the start").isZero();
        assertThat(value(text, requests("portrait", "quota_store_unavailable", ""))).isZero();
        assertThat(value(text, "quotagate_calls_charged_total{group=\"portrait\"}")).isEqualTo(5);
        // Both tenants have only their free lot: every call charged came from it.
        assertThat(value(text, "quotagate_calls_charged_free_total{group=\"portrait\"}")).isEqualTo(5);
        assertThat(value(text, "quotagate_calls_refunded_total{group=\"portrait\"}")).isEqualTo(2);
        assertThat(value(text, "quotagate_refunds_total{group=\"portrait\"}")).isEqualTo(2);
        assertThat(value(text, "quotagate_fail_open_admissions_total{group=\"portrait\"}")).isZero();
        assertThat(value(text, "quotagate_request_duration_seconds_count")).isEqualTo(9);
        assertThat(value(text, "quotagate_added_duration_seconds_count")).isEqualTo(9);
        assertThat(value(text, "quotagate_upstream_duration_seconds_count")).isEqualTo(5);
        assertThat(value(text, "quotagate_store_errors_total{kind=\"timeout\"}")).isZero();
        assertThat(value(text, "quotagate_config_reloads_total{result=\"failure\"}")).isZero();
        assertThat(value(text, "quotagate_config_info{sha256=\"" + sha256(configFile) + "\"}")).isEqualTo(1);
        assertThat(value(text, "quotagate_store_retry_pending")).isZero();
        assertThat(value(text, "quotagate_access_log_dropped_total")).isZero();
        // acme has 0 calls left, flaky 5 (both refunded): both under 20.
        Poll.until("tenants low on calls", Duration.ofSeconds(10),
                () -> value(scrape(), "quotagate_tenants_low_on_calls{group=\"portrait\"}"), 2.0);
    }

    @Test
    @Order(2)
    void theScrapedTextPassesPromtoolCheckMetrics() {
        PrometheusTools.Run run = PrometheusTools.promtool(dir, scrape(), "check", "metrics");
        assertThat(run.exit()).as(run.output()).isZero();
    }

    @Test
    @Order(3)
    void theAccessLogHasOneJsonLinePerRequestAndNoKey() throws Exception {
        Poll.until("access log lines", Duration.ofSeconds(5), () -> accessLog().size(), 9);
        List<JsonNode> lines = accessLog();
        JsonNode first = lines.get(0);
        assertThat(first.path("tenant").asText()).isEqualTo("acme");
        assertThat(first.path("group").asText()).isEqualTo("portrait");
        assertThat(first.path("route").asText()).isEqualTo("POST /v1/portrait/generate");
        assertThat(first.path("method").asText()).isEqualTo("POST");
        assertThat(first.path("path").asText()).as("without the query").isEqualTo("/v1/portrait/generate");
        assertThat(first.path("status").asInt()).isEqualTo(200);
        assertThat(first.path("outcome").asText()).isEqualTo("forwarded");
        assertThat(first.path("charged").asInt()).isEqualTo(1);
        assertThat(first.path("refunded").asInt()).isZero();
        assertThat(first.path("total_ms").asDouble()).isPositive();
        assertThat(first.path("upstream_ms").asDouble()).isPositive().isLessThanOrEqualTo(first.path("total_ms").asDouble());
        assertThat(first.path("bytes_in").asLong()).isGreaterThan(100); // head and body
        assertThat(first.path("bytes_out").asLong()).isGreaterThan(50);
        assertThat(first.path("client").asText()).isEqualTo("127.0.0.1");
        assertThat(first.path("request_id").asText()).matches(HEX_ID);
        assertThat(first.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");

        JsonNode exhausted = lines.get(3);
        assertThat(exhausted.path("outcome").asText()).isEqualTo("calls_exhausted");
        assertThat(exhausted.path("status").asInt()).isEqualTo(402);
        assertThat(exhausted.path("charged").asInt()).isZero();
        assertThat(exhausted.path("upstream_ms").isNull()).isTrue();
        JsonNode refunded = lines.get(4);
        assertThat(refunded.path("tenant").asText()).isEqualTo("flaky");
        assertThat(refunded.path("status").asInt()).isEqualTo(500);
        assertThat(refunded.path("charged").asInt()).isEqualTo(1);
        assertThat(refunded.path("refunded").asInt()).isEqualTo(1);
        JsonNode missing = lines.get(6);
        assertThat(missing.path("outcome").asText()).isEqualTo("missing_api_key");
        assertThat(missing.path("tenant").isNull()).isTrue();
        JsonNode notFound = lines.get(8);
        assertThat(notFound.path("outcome").asText()).isEqualTo("route_not_found");
        assertThat(notFound.path("group").isNull()).isTrue();
        assertThat(notFound.path("status").asInt()).isEqualTo(404);

        String raw = Files.readString(dir.resolve("access.log"));
        assertThat(raw).doesNotContain(acmeKey).doesNotContain(flakyKey).doesNotContain("qg_").doesNotContain("Bearer");
    }

    @Test
    @Order(4)
    void xRequestIdIsKeptWhenValidGeneratedOtherwiseForwardedAndReturnedOnRejectionsToo() {
        Reply kept = http.send(gateway.port(), "GET", "/v1/portrait/tasks/t-1", "Authorization", "Bearer " + acmeKey,
                "X-Request-Id", "client-trace-42");
        assertThat(kept.status()).isEqualTo(200);
        assertThat(kept.header("X-Request-Id")).as("the upstream's own is replaced").isEqualTo("client-trace-42");
        assertThat(kept.headers().allValues("X-Request-Id")).hasSize(1);
        assertThat(lastUpstreamRequest().headerValues("X-Request-Id")).containsExactly("client-trace-42");

        Reply replaced = http.send(gateway.port(), "GET", "/v1/portrait/tasks/t-1", "Authorization", "Bearer " + acmeKey,
                "X-Request-Id", "has spaces;and=junk\"");
        assertThat(replaced.header("X-Request-Id")).matches(HEX_ID);
        assertThat(lastUpstreamRequest().headerValues("X-Request-Id")).containsExactly(replaced.header("X-Request-Id"));

        Reply generated = http.send(gateway.port(), "GET", "/v1/portrait/tasks/t-1", "Authorization", "Bearer " + acmeKey);
        assertThat(generated.header("X-Request-Id")).matches(HEX_ID).isNotEqualTo(replaced.header("X-Request-Id"));

        Reply rejected = http.send(gateway.port(), "POST", "/v1/portrait/generate", "X-Request-Id", "support-ticket-7");
        assertThat(rejected.errorCode()).isEqualTo("missing_api_key");
        assertThat(rejected.header("X-Request-Id")).isEqualTo("support-ticket-7");
        assertThat(http.send(gateway.port(), "GET", "/nowhere").header("X-Request-Id")).matches(HEX_ID);

        Poll.until("the rejection in the access log", Duration.ofSeconds(5), () -> accessLog().stream()
                .anyMatch(l -> l.path("request_id").asText().equals("support-ticket-7")
                        && l.path("outcome").asText().equals("missing_api_key")), true);
    }

    @Test
    @Order(5)
    void theStatusListenerServesProbesAndMetricsWithoutATokenAndTheAdminPortStillWantsOne() {
        int status = gateway.statusPort();
        assertThat(http.send(status, "GET", "/healthz").json().path("status").asText()).isEqualTo("ok");
        Reply ready = http.send(status, "GET", "/readyz");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().path("status").asText()).isEqualTo("ready");
        assertThat(http.send(status, "GET", "/metrics").body()).contains("quotagate_requests_total");
        assertThat(http.send(status, "GET", "/v1/tenants").status()).as("no admin API here").isEqualTo(404);
        assertThat(http.send(status, "GET", "/v1/tenants", "Authorization", "Bearer " + ADMIN_TOKEN).status()).isEqualTo(404);
        assertThat(http.send(status, "POST", "/metrics").status()).isEqualTo(405);

        assertThat(http.send(gateway.adminPort(), "GET", "/metrics").status()).isEqualTo(401);
        assertThat(http.send(gateway.adminPort(), "GET", "/metrics", "Authorization", "Bearer " + ADMIN_TOKEN).body())
                .contains("quotagate_requests_total");
        assertThat(http.send(gateway.adminPort(), "GET", "/readyz").status()).isEqualTo(200);
    }

    @Test
    @Order(6)
    void aRealPrometheusScrapesTheStatusListenerAndEvaluatesEveryAlertAndDashboardExpression() throws Exception {
        Path alerts = PrometheusTools.ROOT.resolve("deploy/prometheus/alerts.yml");
        Path promDir = Files.createDirectories(dir.resolve("prometheus"));
        try (PrometheusServer prometheus = PrometheusServer.start(promDir, "127.0.0.1:" + gateway.statusPort(), alerts)) {
            Poll.until("the first scrape", Duration.ofSeconds(20), () -> scrapes(prometheus), true);
            // Traffic across several scrapes, so rates and histograms have data: forwarded with refunds, rejections.
            long end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            while (System.nanoTime() < end) {
                http.generate(gateway.port(), flakyKey);
                http.generate(gateway.port(), acmeKey);
                Thread.sleep(100);
            }
            Thread.sleep(1500); // one more scrape after the traffic

            Map<String, Integer> alertSeries = new java.util.TreeMap<>();
            for (Map.Entry<String, String> alert : PrometheusExpressions.alerts(alerts).entrySet()) {
                alertSeries.put(alert.getKey(), prometheus.query(alert.getValue()).path("result").size());
            }
            // The traffic makes these fire-worthy now: all refunds (flaky) and two tenants low on calls.
            assertThat(alertSeries).containsEntry("QuotagateRefundsSpiking", 1).containsEntry("QuotagateTenantsLowOnCalls", 1)
                    .containsEntry("QuotagateConfigMismatch", 0).containsEntry("QuotagateStoreUnavailable", 0)
                    .containsEntry("QuotagateUnchargedAdmissionsPending", 0).containsEntry("QuotagateAuditLogDropping", 0)
                    .hasSize(11);

            Map<String, Integer> panelSeries = new java.util.TreeMap<>();
            Path dashboard = PrometheusTools.ROOT.resolve("deploy/grafana/quotagate-dashboard.json");
            for (PrometheusExpressions.Target target : PrometheusExpressions.dashboard(dashboard)) {
                JsonNode data = prometheus.query(target.promql());
                panelSeries.merge(target.panel(), data.path("result").size(), Integer::sum);
            }
            assertThat(panelSeries).hasSize(18);
            for (String key : List.of("Requests by group and outcome", "Rejections by reason", "Most rejected tenants",
                    "Latency added by the gateway", "Admission", "Whole request and upstream",
                    "Calls charged and refunded by group", "Refunded share of charged calls", "Tenants low on calls",
                    "Config in force", "Store load", "Heap", "GC pauses and CPU", "Netty buffers and threads")) {
                assertThat(panelSeries.get(key)).as("series of the panel \"%s\"", key).isPositive();
            }
            assertThat(prometheus.rules().toString()).contains("QuotagateRefundsSpiking").doesNotContain("\"health\":\"err\"");
        }
    }

    // ---- helpers ----

    private static boolean scrapes(PrometheusServer prometheus) {
        try {
            return prometheus.query("up{job=\"quotagate\"} == 1").path("result").size() == 1;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    String scrape() {
        Reply reply = http.send(gateway.statusPort(), "GET", "/metrics");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).startsWith("text/plain");
        return reply.body();
    }

    static String requests(String group, String outcome, String tenant) {
        return "quotagate_requests_total{group=\"" + group + "\",outcome=\"" + outcome + "\",tenant=\"" + tenant + "\"}";
    }

    /** The value of one series in a scrape; fails when absent. */
    static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as(series + " in the scrape").isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static List<JsonNode> accessLog() {
        try {
            return Files.readAllLines(dir.resolve("access.log")).stream().map(line -> {
                try {
                    return JSON.readTree(line);
                } catch (IOException e) {
                    throw new UncheckedIOException("not JSON: " + line, e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RecordingUpstream.RecordedRequest lastUpstreamRequest() {
        List<RecordingUpstream.RecordedRequest> all = upstream.requests();
        return all.get(all.size() - 1);
    }

    static String sha256(Path file) {
        try {
            return sha256String(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256String(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path write(Path file, String text) {
        try {
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
