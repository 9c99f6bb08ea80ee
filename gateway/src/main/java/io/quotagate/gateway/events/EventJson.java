package io.quotagate.gateway.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The wire form of an event (the webhook body, and how the Redis store keeps it): {@code id}, {@code type},
 * {@code tenant}, {@code group}, {@code occurred_at}, {@code data}. Data values are whole numbers, strings or
 * booleans; numbers read back as {@code Long}.
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EventJson() {
    }

    public static String write(BillingEvent event) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("id", event.id());
        root.put("type", event.type().wire());
        root.put("tenant", event.tenant());
        root.put("group", event.group());
        root.put("occurred_at", event.occurredAt().toString());
        ObjectNode data = root.putObject("data");
        event.data().forEach((k, v) -> {
            if (v instanceof Number n) {
                data.put(k, n.longValue());
            } else if (v instanceof Boolean b) {
                data.put(k, b);
            } else {
                data.put(k, v == null ? null : v.toString());
            }
        });
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serialises", e);
        }
    }

    public static BillingEvent read(String json) {
        try {
            JsonNode root = MAPPER.readTree(json);
            Map<String, Object> data = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.path("data").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                JsonNode v = f.getValue();
                data.put(f.getKey(), v.isNumber() ? (Object) v.longValue() : v.isBoolean() ? (Object) v.booleanValue()
                        : v.isNull() ? null : v.asText());
            }
            JsonNode group = root.path("group");
            return new BillingEvent(root.path("id").asText(), EventType.ofWire(root.path("type").asText()),
                    root.path("tenant").asText(), group.isNull() || group.isMissingNode() ? null : group.asText(),
                    Instant.parse(root.path("occurred_at").asText()), data);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalStateException("not an event: " + json, e);
        }
    }
}
