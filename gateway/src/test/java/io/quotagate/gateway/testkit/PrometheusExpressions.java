package io.quotagate.gateway.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * The PromQL shipped in deploy/: every alert expression of a rule file, and every target of the Grafana dashboard
 * with Grafana's variables replaced as Grafana would ({@code $__rate_interval} by 1m, {@code $__range} by 5m, the
 * dashboard's {@code $group} and {@code $instance} by their "All" value {@code .*}).
 */
public final class PrometheusExpressions {

    /** One query of one dashboard panel. */
    public record Target(String panel, String promql) {
    }

    private PrometheusExpressions() {
    }

    /** Alert name → expression. */
    @SuppressWarnings("unchecked")
    public static Map<String, String> alerts(Path ruleFile) throws IOException {
        Map<String, Object> rules = new Yaml().load(Files.readString(ruleFile));
        Map<String, String> alerts = new LinkedHashMap<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                alerts.put((String) rule.get("alert"), (String) rule.get("expr"));
            }
        }
        return alerts;
    }

    /** Every target of every panel, variables replaced; fails on a panel without targets. */
    public static List<Target> dashboard(Path json) throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(json));
        List<Target> targets = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if ("row".equals(panel.path("type").asText())) {
                continue;
            }
            String title = panel.path("title").asText();
            if (panel.path("targets").isEmpty()) {
                throw new AssertionError("panel without a query: " + title);
            }
            for (JsonNode target : panel.path("targets")) {
                targets.add(new Target(title, grafana(target.path("expr").asText())));
            }
        }
        return targets;
    }

    private static String grafana(String expr) {
        String promql = expr.replace("$__rate_interval", "1m").replace("$__range", "5m")
                .replace("$group", ".*").replace("$instance", ".*");
        if (promql.contains("$")) {
            throw new AssertionError("a variable Grafana would replace is left: " + expr);
        }
        return promql;
    }
}
