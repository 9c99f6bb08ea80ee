package io.quotagate.gateway.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quotagate.gateway.events.EventJson;
import io.quotagate.gateway.events.EventRecord;
import io.quotagate.gateway.events.EventStore;
import java.time.InstantSource;
import java.util.concurrent.CompletionStage;

/**
 * Billing events for ops: {@code GET /v1/events?limit=N} (newest first), {@code GET /v1/events/{id}} and
 * {@code POST /v1/events/{id}/replay} (queue it again, same id, whatever its status).
 */
final class EventEndpoints {

    static final long DEFAULT_LIMIT = 50;
    static final long MAX_LIMIT = 1000;

    private final EventStore events;
    private final InstantSource clock;

    EventEndpoints(EventStore events, InstantSource clock) {
        this.events = events;
        this.clock = clock;
    }

    void register(AdminRouter router) {
        router.add("GET", "/v1/events", this::list)
                .add("GET", "/v1/events/{id}", r -> events.find(r.param("id")).thenApply(found -> found
                        .map(record -> AdminResponse.json(200, json(record)))
                        .orElseThrow(() -> AdminException.notFound("no event " + r.param("id")))))
                .add("POST", "/v1/events/{id}/replay", AdminOperation.EVENT_REPLAY, r -> events.replay(r.param("id"), clock.instant())
                        .thenApply(found -> found.map(record -> AdminResponse.json(200, json(record)))
                                .orElseThrow(() -> AdminException.notFound("no event " + r.param("id")))));
    }

    private CompletionStage<AdminResponse> list(AdminRequest request) {
        long limit = request.queryParam("limit") == null ? DEFAULT_LIMIT : request.positiveQuery("limit");
        if (limit > MAX_LIMIT) {
            throw AdminException.invalid("limit: " + limit + " (expected: <= " + MAX_LIMIT + ")");
        }
        return events.recent((int) limit).thenApply(records -> {
            ObjectNode body = AdminJson.object();
            ArrayNode list = body.putArray("events");
            records.forEach(r -> list.add(json(r)));
            return AdminResponse.json(200, body);
        });
    }

    /** The event as the webhook receives it, and its delivery state. */
    static ObjectNode json(EventRecord record) {
        ObjectNode node = AdminJson.object();
        node.set("event", AdminJson.parse(EventJson.write(record.event()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        node.put("status", record.status().wire()).put("attempts", record.attempts())
                .put("last_error", record.lastError())
                .put("delivered_at", record.deliveredAt() == null ? null : AdminJson.time(record.deliveredAt()));
        return node;
    }
}
