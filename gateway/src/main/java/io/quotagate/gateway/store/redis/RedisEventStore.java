package io.quotagate.gateway.store.redis;

import io.quotagate.gateway.events.BillingEvent;
import io.quotagate.gateway.events.EventJson;
import io.quotagate.gateway.events.EventRecord;
import io.quotagate.gateway.events.EventStore;
import io.quotagate.gateway.events.Reminder;
import io.quotagate.gateway.store.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The {@link EventStore} on Redis, shared by every replica: each step is one call of {@code lua/events.lua} (key
 * layout there), so "is this event id new" is decided once across replicas, and the outbox and reminder schedule
 * survive a replica restart. Events are rare next to requests, so the script is sent with each call ({@code EVAL})
 * rather than cached by SHA.
 */
public final class RedisEventStore implements EventStore {

    static final String DUE = "qg:{qg-events}:due";
    private static final String SEP = "\u001f";
    private static final String SCRIPT = resource();

    private final RScript script;

    public RedisEventStore(RedissonClient redisson) {
        this.script = redisson.getScript(StringCodec.INSTANCE);
    }

    @Override
    public CompletionStage<Boolean> emit(BillingEvent event) {
        return run("emit", event.id(), EventJson.write(event), millis(event.occurredAt())).thenApply(RedisEventStore::isNew);
    }

    @Override
    public CompletionStage<Boolean> emitForGrant(BillingEvent event) {
        return run("emit_for_grant", event.id(), EventJson.write(event), millis(event.occurredAt()),
                key(event.tenant(), event.group())).thenApply(RedisEventStore::isNew);
    }

    @Override
    public CompletionStage<Boolean> emitGrant(BillingEvent event, long calls) {
        return run("emit_grant", event.id(), EventJson.write(event), millis(event.occurredAt()),
                key(event.tenant(), event.group()), calls).thenApply(RedisEventStore::isNew);
    }

    @Override
    public CompletionStage<Boolean> emitStatus(BillingEvent event, String status) {
        return run("emit_status", event.id(), EventJson.write(event), millis(event.occurredAt()), event.tenant(), status)
                .thenApply(RedisEventStore::isNew);
    }

    @Override
    public CompletionStage<OptionalLong> lastGrantCalls(String tenant, String group) {
        return run("last_grant", key(tenant, group)).thenApply(r -> {
            String calls = String.valueOf(r.get(0));
            return calls.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(calls));
        });
    }

    @Override
    public CompletionStage<Void> schedule(Reminder reminder) {
        return run("schedule", reminder.id(), EventJson.write(reminder.event()), millis(reminder.dueAt()))
                .thenApply(r -> null);
    }

    @Override
    public CompletionStage<List<Reminder>> claimReminders(Instant now, Duration lease, int limit) {
        return run("claim_reminders", millis(now), millis(now.plus(lease)), limit).thenApply(lines -> {
            List<Reminder> out = new ArrayList<>();
            for (Object line : lines) {
                String[] f = String.valueOf(line).split(SEP, 2);
                out.add(new Reminder(Instant.ofEpochMilli(Long.parseLong(f[0])), EventJson.read(f[1])));
            }
            return out;
        });
    }

    @Override
    public CompletionStage<Void> reminderDone(String id) {
        return run("reminder_done", id).thenApply(r -> null);
    }

    @Override
    public CompletionStage<Optional<EventRecord>> claim(Instant now, Duration lease) {
        return run("claim", millis(now), millis(now.plus(lease))).thenApply(RedisEventStore::first);
    }

    @Override
    public CompletionStage<Void> delivered(String id, Instant at) {
        return run("delivered", id, millis(at)).thenApply(r -> null);
    }

    @Override
    public CompletionStage<Void> failed(String id, String error, Instant nextAttempt) {
        return run("failed", id, error, nextAttempt == null ? "" : millis(nextAttempt)).thenApply(r -> null);
    }

    @Override
    public CompletionStage<List<EventRecord>> recent(int limit) {
        return run("recent", limit).thenApply(lines -> lines.stream().map(RedisEventStore::record).toList());
    }

    @Override
    public CompletionStage<Optional<EventRecord>> find(String id) {
        return run("find", id).thenApply(RedisEventStore::first);
    }

    @Override
    public CompletionStage<Optional<EventRecord>> replay(String id, Instant now) {
        return run("replay", id, millis(now)).thenApply(RedisEventStore::first);
    }

    @Override
    public void close() {
        // The Redisson client is the quota store's; its owner shuts it down.
    }

    private CompletionStage<List<Object>> run(String op, Object... args) {
        Object[] values = new Object[args.length + 1];
        values[0] = op;
        for (int i = 0; i < args.length; i++) {
            values[i + 1] = String.valueOf(args[i]);
        }
        CompletableFuture<List<Object>> result = new CompletableFuture<>();
        try {
            script.<List<Object>>evalAsync(DUE, RScript.Mode.READ_WRITE, SCRIPT, RScript.ReturnType.LIST,
                    List.of(DUE), values).whenComplete((reply, error) -> {
                        if (error == null) {
                            result.complete(reply == null ? List.of() : reply);
                        } else {
                            result.completeExceptionally(new StoreUnavailableException("Redis events " + op + " failed: " + error, error));
                        }
                    });
        } catch (RuntimeException e) {
            result.completeExceptionally(new StoreUnavailableException("Redis events " + op + " failed: " + e, e));
        }
        return result;
    }

    private static boolean isNew(List<Object> reply) {
        return "1".equals(String.valueOf(reply.get(0)));
    }

    private static Optional<EventRecord> first(List<Object> reply) {
        return reply.isEmpty() ? Optional.empty() : Optional.of(record(reply.get(0)));
    }

    /** id, status, attempts, error, delivered ms, json. */
    private static EventRecord record(Object line) {
        String[] f = String.valueOf(line).split(SEP, 6);
        BillingEvent event = EventJson.read(f[5]).withId(f[0]);
        return new EventRecord(event, EventRecord.Status.valueOf(f[1].toUpperCase(Locale.ROOT)), Integer.parseInt(f[2]),
                f[3].isEmpty() ? null : f[3], f[4].isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(f[4])));
    }

    private static String key(String tenant, String group) {
        return tenant + SEP + (group == null ? "" : group);
    }

    private static long millis(Instant t) {
        return t.toEpochMilli();
    }

    private static String resource() {
        try (InputStream in = RedisEventStore.class.getResourceAsStream("/lua/events.lua")) {
            if (in == null) {
                throw new IllegalStateException("missing script /lua/events.lua");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
