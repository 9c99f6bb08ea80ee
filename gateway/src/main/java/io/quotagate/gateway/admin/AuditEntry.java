package io.quotagate.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;

/**
 * One line of the audit log: who ({@code address}) asked for which {@link AdminOperation} on what, and how it
 * ended. Built from the call's path parameters, its body and the answer's status, code and key id; never from a
 * header, so neither the admin token nor an API key can reach it, and never from {@code api_key} of an answer;
 * a key pasted into a body or path is redacted ({@link Redaction}).
 *
 * @param at      when the call arrived (UTC)
 * @param detail  the operation's amounts and dates from the body ({@code {"calls":1000}}); null for a refused call
 * @param outcome {@code ok} for a 2xx answer, otherwise the answer's error code ({@code conflict},
 *                {@code unauthorized}, {@code throttled}, …)
 */
record AuditEntry(Instant at, String address, AdminOperation operation, String tenant, String group, String orderId,
                  String keyId, String eventId, ObjectNode detail, int status, String outcome) {

    /** Longer values (path parameters and body fields come from the caller) are cut to this many characters. */
    static final int MAX_VALUE = 128;

    /** An authenticated call, after its answer: what the path and body name, the outcome, a new key's id. */
    static AuditEntry completed(Instant at, String address, AdminOperation operation, Map<String, String> params,
                                JsonNode body, AdminResponse answer) {
        JsonNode answerJson = json(answer);
        String keyId = params.get("keyId");
        if (keyId == null && answer.status() < 300 && answerJson != null) {
            keyId = text(answerJson.get("key_id")); // tenant.create and key.create: the id of the key shown once
        }
        return new AuditEntry(at, address, operation, tenant(operation, params, body), clip(params.get("group")),
                text(field(body, "order_id")), clip(keyId), eventId(operation, params), detail(operation, body),
                answer.status(), outcome(answer, answerJson));
    }

    /** A call refused before routing (wrong or missing token, throttled): only what its path names; the body is unread. */
    static AuditEntry refused(Instant at, String address, AdminOperation operation, Map<String, String> params,
                              AdminResponse answer) {
        return new AuditEntry(at, address, operation, tenant(operation, params, null), clip(params.get("group")), null,
                clip(params.get("keyId")), eventId(operation, params), null, answer.status(), outcome(answer, json(answer)));
    }

    /** The JSON line, keys in a fixed order (docs/admin-api.md lists them), absent values {@code null}. */
    String toJson() {
        ObjectNode line = AdminJson.object().put("time", at.toString()).put("log", "audit").put("address", address)
                .put("operation", operation.wire()).put("tenant", tenant).put("group", group).put("order_id", orderId)
                .put("key_id", keyId).put("event_id", eventId);
        line.set("detail", detail);
        line.put("status", status).put("outcome", outcome);
        return new String(AdminJson.bytes(line), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String tenant(AdminOperation operation, Map<String, String> params, JsonNode body) {
        return switch (operation.subject()) {
            case TENANT_IN_PATH -> clip(params.get("id"));
            case TENANT_IN_BODY -> text(field(body, "id"));
            case EVENT_IN_PATH, NONE -> null;
        };
    }

    private static String eventId(AdminOperation operation, Map<String, String> params) {
        return operation.subject() == AdminOperation.Subject.EVENT_IN_PATH ? clip(params.get("id")) : null;
    }

    /** The operation's detail fields present in the body: numbers as numbers, strings cut; anything else left out. */
    private static ObjectNode detail(AdminOperation operation, JsonNode body) {
        if (operation.detailFields().isEmpty() || !(body instanceof ObjectNode)) {
            return null;
        }
        ObjectNode detail = AdminJson.object();
        for (String name : operation.detailFields()) {
            JsonNode value = body.get(name);
            if (value != null && value.isIntegralNumber()) {
                detail.set(name, value);
            } else if (value != null && value.isTextual()) {
                detail.put(name, clip(value.asText()));
            }
        }
        return detail;
    }

    private static String outcome(AdminResponse answer, JsonNode answerJson) {
        if (answer.status() < 300) {
            return "ok";
        }
        String code = answerJson == null ? null : text(answerJson.path("error").get("code"));
        return code != null ? code : "http_" + answer.status();
    }

    private static JsonNode json(AdminResponse answer) {
        if (!AdminResponse.JSON.equals(answer.contentType())) {
            return null;
        }
        try {
            return AdminJson.parse(answer.body());
        } catch (AdminException e) {
            return null;
        }
    }

    private static JsonNode field(JsonNode body, String name) {
        return body instanceof ObjectNode ? body.get(name) : null;
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() ? clip(node.asText()) : null;
    }

    /** A caller's value as the log keeps it: at most {@link #MAX_VALUE} characters, anything key-shaped redacted. */
    static String clip(String value) {
        String safe = Redaction.keys(value);
        return safe == null || safe.length() <= MAX_VALUE ? safe : safe.substring(0, MAX_VALUE) + "…";
    }
}
