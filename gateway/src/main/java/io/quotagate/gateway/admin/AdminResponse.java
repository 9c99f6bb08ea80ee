package io.quotagate.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** One admin API answer, independent of Netty: status, content type, body and extra headers. */
public record AdminResponse(int status, String contentType, byte[] body, Map<String, String> headers) {

    public static final String JSON = "application/json";
    public static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    public AdminResponse {
        headers = Map.copyOf(headers);
    }

    public static AdminResponse json(int status, JsonNode body) {
        return new AdminResponse(status, JSON, AdminJson.bytes(body), Map.of());
    }

    public static AdminResponse text(int status, String contentType, String body) {
        return new AdminResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /**
     * The error body every refusal uses: {@code {"error":{"code":…,"message":…}}}. A message may quote the caller's
     * input: whatever in it looks like an API key is redacted.
     */
    public static AdminResponse error(int status, String code, String message) {
        return json(status, AdminJson.error(code, Redaction.keys(message)));
    }

    public AdminResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new AdminResponse(status, contentType, body, more);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
