package io.quotagate.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.testkit.PrometheusTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** deploy/prometheus as Prometheus reads it: the rules and scrape config pass promtool, and the alert unit tests pass. */
class PromtoolRulesTest {

    private static final Path DIR = PrometheusTools.ROOT.resolve("deploy/prometheus");

    @Test
    void alertRulesAreValid() {
        PrometheusTools.Run run = PrometheusTools.promtool(DIR, null, "check", "rules", "alerts.yml");
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS: 11 rules found");
    }

    @Test
    void everyAlertFiresAndStaysQuietInItsUnitTests() {
        PrometheusTools.Run run = PrometheusTools.promtool(DIR, null, "test", "rules", "alerts.test.yml");
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS");
    }

    @Test
    @SuppressWarnings("unchecked")
    void eachAlertHasAFiringAndAQuietCase() throws Exception {
        Map<String, Object> rules = new Yaml().load(Files.readString(DIR.resolve("alerts.yml")));
        Map<String, Object> tests = new Yaml().load(Files.readString(DIR.resolve("alerts.test.yml")));
        Set<String> alerts = new TreeSet<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                alerts.add((String) rule.get("alert"));
            }
        }
        Set<String> firing = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        for (Map<String, Object> test : (List<Map<String, Object>>) tests.get("tests")) {
            for (Map<String, Object> check : (List<Map<String, Object>>) test.get("alert_rule_test")) {
                List<?> expected = (List<?>) check.get("exp_alerts");
                (expected == null || expected.isEmpty() ? quiet : firing).add((String) check.get("alertname"));
            }
        }
        assertThat(alerts).hasSize(11);
        assertThat(firing).isEqualTo(alerts);
        assertThat(quiet).isEqualTo(alerts);
    }

    @Test
    void scrapeConfigIsValid() {
        PrometheusTools.Run run = PrometheusTools.promtool(DIR, null, "check", "config", "prometheus.yml");
        assertThat(run.exit()).as(run.output()).isZero();
    }
}
