package io.quotagate.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * One admin call after routing: path parameters, query parameters and the JSON body. Its accessors translate
 * fields to values and refuse (400, naming the field) what cannot be translated; deciding is left to services.
 *
 * @param body null when the request had no body
 */
public record AdminRequest(String method, String path, Map<String, String> pathParams,
                           Map<String, List<String>> query, JsonNode body) {

    public AdminRequest {
        pathParams = Map.copyOf(pathParams);
        query = Map.copyOf(query);
    }

    /** A path parameter, e.g. {@code id} of {@code /v1/tenants/{id}}. */
    public String param(String name) {
        return pathParams.get(name);
    }

    /** A query parameter's first value, or null when absent or empty. */
    public String queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }

    /** A query parameter that must be a positive integer. */
    public long positiveQuery(String name) {
        String value = queryParam(name);
        if (value == null) {
            throw AdminException.badRequest(name + ": required");
        }
        return positive(name, parseLong(name, value));
    }

    /** A query parameter that is a UTC date ({@code 2026-01-31}), or null when absent. */
    public LocalDate dateQuery(String name) {
        String value = queryParam(name);
        try {
            return value == null ? null : LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw AdminException.badRequest(name + ": " + value + " (expected: a date like 2026-01-31)");
        }
    }

    /** The body as a JSON object; 400 when it is missing or something else. */
    public ObjectNode object() {
        if (body == null) {
            throw AdminException.badRequest("a JSON object body is required");
        }
        if (!(body instanceof ObjectNode node)) {
            throw AdminException.badRequest("the body must be a JSON object");
        }
        return node;
    }

    public String text(String field) {
        String value = optionalText(field);
        if (value == null) {
            throw AdminException.badRequest(field + ": required");
        }
        return value;
    }

    public String optionalText(String field) {
        JsonNode node = object().get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw AdminException.badRequest(field + ": must be a string");
        }
        return node.asText();
    }

    public boolean has(String field) {
        JsonNode node = object().get(field);
        return node != null && !node.isNull();
    }

    /** A required integer field, at least 1. */
    public long positive(String field) {
        JsonNode node = object().get(field);
        if (node == null || node.isNull()) {
            throw AdminException.badRequest(field + ": required");
        }
        if (!node.canConvertToExactIntegral() || !node.canConvertToLong()) {
            throw AdminException.badRequest(field + ": must be an integer");
        }
        return positive(field, node.asLong());
    }

    /** An optional instant field: ISO-8601 with an offset ({@code 2026-01-01T00:00:00Z}) or a date (UTC midnight). */
    public Instant optionalInstant(String field) {
        String value = optionalText(field);
        return value == null ? null : instant(field, value);
    }

    static Instant instant(String field, String value) {
        try {
            if (value.length() == 10) {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw AdminException.badRequest(field + ": " + value + " (expected: ISO-8601 like 2026-01-01T00:00:00Z)");
        }
    }

    private static long positive(String field, long value) {
        if (value <= 0) {
            throw AdminException.badRequest(field + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    private static long parseLong(String field, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw AdminException.badRequest(field + ": " + value + " (expected: an integer)");
        }
    }
}
