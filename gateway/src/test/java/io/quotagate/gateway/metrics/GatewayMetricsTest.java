package io.quotagate.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.admission.RejectionCode;
import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What each recording method of {@link GatewayMetrics} puts in the Prometheus text, read back from a scrape. */
class GatewayMetricsTest {

    private final GatewayMetrics metrics = new GatewayMetrics(true);

    @Test
    void countersWithKnownLabelsExistAtZeroFromTheStart() {
        String text = metrics.scrape();
        assertThat(text).contains("quotagate_config_reloads_total{result=\"success\"} 0.0",
                "quotagate_config_reloads_total{result=\"failure\"} 0.0",
                "quotagate_store_errors_total{kind=\"timeout\"} 0.0",
                "quotagate_store_errors_total{kind=\"connection\"} 0.0",
                "quotagate_store_errors_total{kind=\"other\"} 0.0",
                "quotagate_grants_total{kind=\"pack\"} 0.0", "quotagate_grants_total{kind=\"qps\"} 0.0",
                "quotagate_grants_total{kind=\"templates\"} 0.0",
                "quotagate_store_timeouts_total 0.0", "quotagate_store_resends_total 0.0",
                "quotagate_access_log_dropped_total 0.0", "quotagate_store_calls_in_flight 0.0");
    }

    @Test
    void eachConfiguredGroupHasEveryOutcomeAndMoneySeriesAtZeroWithoutATenant() {
        metrics.registerGroups(List.of("portrait", "search"), RejectionCode.wires(), RejectionCode.ungroupedWires());
        String text = metrics.scrape();
        for (String group : List.of("portrait", "search")) {
            assertThat(text).contains(requests(group, "forwarded", "") + " 0.0");
            for (String outcome : RejectionCode.wires()) {
                assertThat(text).contains(requests(group, outcome, "") + " 0.0");
            }
            for (String name : List.of("quotagate_refunds_total", "quotagate_calls_charged_total",
                    "quotagate_calls_charged_free_total", "quotagate_calls_refunded_total",
                    "quotagate_fail_open_admissions_total", "quotagate_fail_open_limited_total",
                    "quotagate_uncharged_admissions_written_total")) {
                assertThat(text).contains(name + "{group=\"" + group + "\"} 0.0");
            }
        }
        assertThat(text).contains(requests("", "route_not_found", "") + " 0.0", requests("", "bad_request", "") + " 0.0")
                .doesNotContain(requests("", "calls_exhausted", ""));
        assertThat(RejectionCode.wires()).hasSize(15).doesNotHaveDuplicates();
    }

    @Test
    void requestsCountByGroupOutcomeAndTenant() {
        metrics.request("portrait", "forwarded", "acme");
        metrics.request("portrait", "forwarded", "acme");
        RequestCounters.Cached connection = metrics.connectionRequests();
        connection.count("portrait", "calls_exhausted", "acme");
        connection.count("portrait", "calls_exhausted", "acme");
        connection.count("portrait", "forwarded", "globex");
        connection.count(null, "route_not_found", null);
        assertThat(value(requests("portrait", "forwarded", "acme"))).isEqualTo(2);
        assertThat(value(requests("portrait", "calls_exhausted", "acme"))).isEqualTo(2);
        assertThat(value(requests("portrait", "forwarded", "globex"))).isEqualTo(1);
        assertThat(value(requests("", "route_not_found", ""))).isEqualTo(1);
    }

    @Test
    void withoutTheTenantLabelNoSeriesCarriesOne() {
        GatewayMetrics off = new GatewayMetrics(false);
        off.registerGroups(List.of("portrait"), RejectionCode.wires(), RejectionCode.ungroupedWires());
        off.request("portrait", "forwarded", "acme");
        off.connectionRequests().count("portrait", "forwarded", "globex");
        String text = off.scrape();
        assertThat(text).contains("quotagate_requests_total{group=\"portrait\",outcome=\"forwarded\"} 2.0")
                .doesNotContain("tenant=").doesNotContain("acme").doesNotContain("globex");
    }

    @Test
    void moneyFlowByGroup() {
        metrics.charged("portrait", 3);
        metrics.charged("portrait", 0);
        metrics.chargedFree("portrait", 2);
        metrics.refunded("portrait", 2);
        metrics.failOpen("search");
        metrics.failOpenLimited("search");
        metrics.failOpenLimited("search");
        metrics.unchargedWritten("search", 7);
        metrics.granted("pack");
        metrics.granted("pack");
        metrics.granted("qps");
        assertThat(value("quotagate_calls_charged_total{group=\"portrait\"}")).isEqualTo(3);
        assertThat(value("quotagate_calls_charged_free_total{group=\"portrait\"}")).isEqualTo(2);
        assertThat(value("quotagate_calls_refunded_total{group=\"portrait\"}")).isEqualTo(2);
        assertThat(value("quotagate_refunds_total{group=\"portrait\"}")).isEqualTo(1);
        assertThat(value("quotagate_fail_open_admissions_total{group=\"search\"}")).isEqualTo(1);
        assertThat(value("quotagate_fail_open_limited_total{group=\"search\"}")).isEqualTo(2);
        assertThat(value("quotagate_uncharged_admissions_written_total{group=\"search\"}")).isEqualTo(7);
        assertThat(value("quotagate_grants_total{kind=\"pack\"}")).isEqualTo(2);
        assertThat(value("quotagate_grants_total{kind=\"qps\"}")).isEqualTo(1);
    }

    @Test
    void failOpenGaugesReadTheirSuppliers() {
        AtomicLong pending = new AtomicLong(5);
        metrics.unchargedPending(pending::get);
        metrics.liveReplicas(() -> 3);
        assertThat(value("quotagate_uncharged_admissions_pending")).isEqualTo(5);
        pending.set(0);
        assertThat(value("quotagate_uncharged_admissions_pending")).isZero();
        assertThat(value("quotagate_replicas_live")).isEqualTo(3);
    }

    @Test
    void storeCallsInFlightLatencyAndRequestsPerCall() {
        long first = metrics.storeCallStarted();
        long second = metrics.storeCallStarted();
        assertThat(value("quotagate_store_calls_in_flight")).isEqualTo(2);
        metrics.storeCallEnded("admit", first, 8);
        metrics.storeCallEnded("admit", second, 1);
        long settle = metrics.storeCallStarted();
        metrics.storeCallEnded("settle", settle, 1);
        metrics.storeTimeout();
        metrics.storeResend();
        metrics.storeResend();
        assertThat(value("quotagate_store_calls_in_flight")).isZero();
        assertThat(value("quotagate_store_call_duration_seconds_count{op=\"admit\"}")).isEqualTo(2);
        assertThat(value("quotagate_store_call_duration_seconds_count{op=\"settle\"}")).isEqualTo(1);
        assertThat(value("quotagate_store_call_duration_seconds_bucket{op=\"admit\",le=\"5.0\"}")).isEqualTo(2);
        assertThat(value("quotagate_store_requests_per_call_sum{op=\"admit\"}")).isEqualTo(9);
        assertThat(value("quotagate_store_requests_per_call_bucket{op=\"admit\",le=\"1.0\"}")).isEqualTo(1);
        assertThat(value("quotagate_store_requests_per_call_bucket{op=\"admit\",le=\"8.0\"}")).isEqualTo(2);
        assertThat(value("quotagate_store_timeouts_total")).isEqualTo(1);
        assertThat(value("quotagate_store_resends_total")).isEqualTo(2);
    }

    @Test
    void storeErrorsByKindAndTheRetryQueue() {
        metrics.storeError(new IllegalStateException("wrapped", new TimeoutException("no answer")));
        metrics.storeError(new RuntimeException(new ConnectException("refused")));
        metrics.storeError(new RuntimeException("ERR script"));
        AtomicInteger pending = new AtomicInteger(7);
        metrics.storeRetryQueue(pending::get);
        assertThat(value("quotagate_store_errors_total{kind=\"timeout\"}")).isEqualTo(1);
        assertThat(value("quotagate_store_errors_total{kind=\"connection\"}")).isEqualTo(1);
        assertThat(value("quotagate_store_errors_total{kind=\"other\"}")).isEqualTo(1);
        assertThat(value("quotagate_store_retry_pending")).isEqualTo(7);
        pending.set(0);
        assertThat(value("quotagate_store_retry_pending")).isZero();
    }

    @Test
    void lowTenantsAndTheConfigInForceReplaceTheirPreviousSeries() {
        metrics.tenantsLowOnCalls(Map.of("portrait", 3L, "search", 0L));
        metrics.configInForce("aaa");
        assertThat(value("quotagate_tenants_low_on_calls{group=\"portrait\"}")).isEqualTo(3);
        assertThat(value("quotagate_config_info{sha256=\"aaa\"}")).isEqualTo(1);
        metrics.tenantsLowOnCalls(Map.of("portrait", 1L));
        metrics.configInForce("bbb");
        String text = metrics.scrape();
        assertThat(value("quotagate_tenants_low_on_calls{group=\"portrait\"}")).isEqualTo(1);
        assertThat(value("quotagate_tenants_low_on_calls{group=\"search\"}")).isZero();
        assertThat(text).doesNotContain("sha256=\"aaa\"").contains("quotagate_config_info{sha256=\"bbb\"} 1\n");
    }

    @Test
    void everyHistogramHasAtMostTwentyBucketsPerSeries() {
        metrics.requestDuration(1_000_000);
        metrics.upstreamDuration(1_000_000);
        metrics.admissionDuration(100_000);
        metrics.addedDuration(100_000);
        metrics.storeCallEnded("admit", metrics.storeCallStarted(), 1);
        Map<String, Integer> buckets = new java.util.TreeMap<>();
        Matcher m = Pattern.compile("(?m)^(quotagate_\\w+)_bucket\\{(.*?)le=\"[^\"]+\"").matcher(metrics.scrape());
        while (m.find()) {
            buckets.merge(m.group(1) + "{" + m.group(2), 1, Integer::sum);
        }
        assertThat(buckets).containsKeys("quotagate_request_duration_seconds{", "quotagate_upstream_duration_seconds{",
                "quotagate_admission_duration_seconds{", "quotagate_added_duration_seconds{",
                "quotagate_store_call_duration_seconds{op=\"admit\",", "quotagate_store_requests_per_call{op=\"admit\",");
        assertThat(buckets.values()).allSatisfy(n -> assertThat(n).isBetween(8, 20));
        // Sub-millisecond where the gateway decides, minutes where the upstream works.
        String text = metrics.scrape();
        assertThat(text).contains("quotagate_admission_duration_seconds_bucket{le=\"5.0E-5\"}",
                "quotagate_upstream_duration_seconds_bucket{le=\"300.0\"}",
                "quotagate_request_duration_seconds_bucket{le=\"2.5E-4\"}");
        assertThat(value("quotagate_admission_duration_seconds_bucket{le=\"1.0E-4\"}")).isEqualTo(1);
        assertThat(value("quotagate_admission_duration_seconds_bucket{le=\"5.0E-5\"}")).isZero();
    }

    private static String requests(String group, String outcome, String tenant) {
        return "quotagate_requests_total{group=\"" + group + "\",outcome=\"" + outcome + "\",tenant=\"" + tenant + "\"}";
    }

    /** The value of one series line, e.g. {@code quotagate_store_timeouts_total}; fails when absent. */
    private double value(String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics.scrape());
        assertThat(m.find()).as(series + " in\n" + metrics.scrape()).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
