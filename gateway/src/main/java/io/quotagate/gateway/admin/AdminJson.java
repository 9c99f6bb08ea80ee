package io.quotagate.gateway.admin;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quotagate.gateway.store.KeyInfo;
import io.quotagate.gateway.store.LedgerEntry;
import io.quotagate.gateway.store.Lot;
import io.quotagate.gateway.store.QpsPurchase;
import io.quotagate.gateway.store.UsageDay;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;
import java.util.TreeMap;

/**
 * JSON of the admin API: reading request bodies and writing the wire form of store values. Uses Jackson's tree
 * model only (no data binding), so the wire names are spelled here, in one place. Times are ISO-8601 UTC strings,
 * money is a JSON number.
 */
public final class AdminJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static {
        // Bodies are at most 64 KB; a shallow nesting limit keeps a hostile body cheap to refuse.
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build());
    }

    private AdminJson() {
    }

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** Parses a request body; 400 {@code bad_request} when it is not JSON. */
    static JsonNode parse(byte[] body) {
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            // Jackson's own message quotes the offending token, which may be a secret pasted in the wrong place.
            JsonLocation at = e.getLocation();
            throw AdminException.badRequest("the body is not valid JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw AdminException.badRequest("the body is not valid JSON");
        }
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    static ObjectNode error(String code, String message) {
        ObjectNode body = object();
        body.putObject("error").put("code", code).put("message", message);
        return body;
    }

    static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** Money without trailing zeros ({@code 240000}, not {@code 240000.00}); null stays null. */
    static BigDecimal money(BigDecimal amount) {
        if (amount == null) {
            return null;
        }
        BigDecimal plain = amount.stripTrailingZeros();
        return plain.scale() < 0 ? plain.setScale(0) : plain;
    }

    static ObjectNode lot(Lot lot) {
        return object().put("id", lot.id()).put("source", lot.source().name().toLowerCase(Locale.ROOT))
                .put("calls", lot.calls()).put("remaining", lot.remaining())
                .put("granted_at", time(lot.grantedAt())).put("expires_at", time(lot.expiresAt()))
                .put("order_id", lot.orderId());
    }

    static ObjectNode purchase(QpsPurchase purchase, Instant now) {
        return object().put("id", purchase.id()).put("qps", purchase.qps())
                .put("starts_at", time(purchase.startsAt())).put("ends_at", time(purchase.endsAt()))
                .put("order_id", purchase.orderId()).put("active", purchase.activeAt(now));
    }

    static ObjectNode key(KeyInfo key) {
        return object().put("key_id", key.keyId()).put("created_at", time(key.createdAt()))
                .put("revoked_at", time(key.revokedAt())).put("active", key.active());
    }

    static ObjectNode ledgerEntry(LedgerEntry entry) {
        return object().put("at", time(entry.at())).put("kind", entry.kind()).put("group", entry.group())
                .put("order_id", entry.orderId()).put("detail", entry.detail())
                .put("price", money(entry.price())).put("currency", entry.currency());
    }

    static ObjectNode usageDay(UsageDay day) {
        ObjectNode node = object().put("group", day.group()).put("date", day.date().toString())
                .put("admitted", day.admitted()).put("charged", day.charged())
                .put("charged_free", day.chargedFree()).put("refunded", day.refunded());
        ObjectNode rejected = node.putObject("rejected");
        new TreeMap<>(day.rejected()).forEach(rejected::put);
        return node;
    }
}
