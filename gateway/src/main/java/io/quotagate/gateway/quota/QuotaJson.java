package io.quotagate.gateway.quota;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Instant;
import java.util.List;

/** The body of a quota report; the wire names are spelled here only (docs/quota-api.md documents them). */
final class QuotaJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private QuotaJson() {
    }

    static String report(String tenantId, Instant asOf, List<GroupQuota> groups) {
        ObjectNode root = NODES.objectNode();
        root.put("tenant", tenantId);
        root.put("as_of", asOf.toString());
        ObjectNode byName = root.putObject("groups");
        for (GroupQuota g : groups) {
            ObjectNode o = byName.putObject(g.group());
            o.put("mode", g.mode().wire());
            o.put("activated", g.activated());
            o.put("calls_remaining", g.callsRemaining());
            if (g.nextExpiry() == null) {
                o.putNull("next_expiry");
            } else {
                ObjectNode expiry = o.putObject("next_expiry");
                expiry.put("at", g.nextExpiry().toString());
                expiry.put("calls", g.expiringCalls());
            }
            o.put("qps_limit", g.qpsLimit());
            o.put("qps_limit_until", g.qpsLimitUntil() == null ? null : g.qpsLimitUntil().toString());
            ObjectNode templates = o.putObject("templates");
            templates.put("quota", g.templates().quota());
            templates.put("used", g.templates().used());
        }
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serialises", e);
        }
    }
}
