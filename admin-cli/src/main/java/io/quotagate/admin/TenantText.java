package io.quotagate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The human form of {@code tenant show}. */
final class TenantText {

    private TenantText() {
    }

    static void print(Output out, JsonNode tenant) {
        String name = tenant.path("name").isNull() || tenant.path("name").isMissingNode() ? ""
                : " (" + tenant.path("name").asText() + ")";
        out.line("Tenant " + Output.text(tenant, "id") + name + ": " + Output.text(tenant, "status")
                + ", created " + Output.text(tenant, "created_at"));
        for (Map.Entry<String, JsonNode> entry : iterable(tenant.path("groups"))) {
            JsonNode g = entry.getValue();
            JsonNode templates = g.path("templates");
            out.line("");
            out.line("Group " + entry.getKey() + ": mode " + Output.text(g, "mode")
                    + ", calls remaining " + Output.text(g, "calls_remaining")
                    + ", QPS limit " + Output.text(g, "qps_limit")
                    + ", templates " + Output.text(templates, "used") + "/" + Output.text(templates, "quota") + " used");
            List<List<String>> lots = new ArrayList<>();
            g.path("lots").forEach(l -> lots.add(List.of(Output.text(l, "id"), Output.text(l, "source"),
                    Output.text(l, "calls"), Output.text(l, "remaining"), Output.text(l, "expires_at"),
                    Output.text(l, "order_id"))));
            out.table(List.of("LOT", "SOURCE", "CALLS", "REMAINING", "EXPIRES", "ORDER"), lots, "No lots.");
            List<List<String>> purchases = new ArrayList<>();
            g.path("qps_purchases").forEach(p -> purchases.add(List.of(Output.text(p, "id"), Output.text(p, "qps"),
                    Output.text(p, "starts_at"), Output.text(p, "ends_at"),
                    p.path("active").asBoolean() ? "yes" : "no", Output.text(p, "order_id"))));
            if (!purchases.isEmpty()) {
                out.table(List.of("QPS", "QPS", "STARTS", "ENDS", "ACTIVE", "ORDER"), purchases, "");
            }
        }
    }

    static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode object) {
        return object::fields;
    }
}
