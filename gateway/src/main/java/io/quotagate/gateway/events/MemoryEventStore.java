package io.quotagate.gateway.events;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * An {@link EventStore} for one node, in memory, not durable: the same rules as the Redis one (the shared contract
 * test proves it). One lock makes every step atomic; stages complete before they are returned.
 */
public final class MemoryEventStore implements EventStore {

    private static final class Entry {
        final BillingEvent event;
        EventRecord.Status status = EventRecord.Status.PENDING;
        int attempts;
        String lastError;
        Instant deliveredAt;
        Instant due;

        Entry(BillingEvent event) {
            this.event = event;
            this.due = event.occurredAt();
        }

        EventRecord record() {
            return new EventRecord(event, status, attempts, lastError, deliveredAt);
        }
    }

    private record Grant(long generation, long calls) {
    }

    private record Status(String status, long changes) {
    }

    private final Map<String, Entry> events = new LinkedHashMap<>();
    private final Map<String, Reminder> reminders = new HashMap<>();
    private final Map<String, Instant> reminderDue = new HashMap<>();
    private final Map<String, Grant> grants = new HashMap<>();
    private final Map<String, Status> statuses = new HashMap<>();

    @Override
    public CompletionStage<Boolean> emit(BillingEvent event) {
        return locked(() -> add(event));
    }

    @Override
    public CompletionStage<Boolean> emitForGrant(BillingEvent event) {
        return locked(() -> {
            Grant g = grants.get(key(event.tenant(), event.group()));
            return add(event.withId(event.id() + ":g" + (g == null ? 0 : g.generation())));
        });
    }

    @Override
    public CompletionStage<Boolean> emitGrant(BillingEvent event, long calls) {
        return locked(() -> {
            if (!add(event)) {
                return false;
            }
            if (calls > 0) {
                grants.merge(key(event.tenant(), event.group()), new Grant(1, calls),
                        (old, n) -> new Grant(old.generation() + 1, calls));
            }
            return true;
        });
    }

    @Override
    public CompletionStage<Boolean> emitStatus(BillingEvent event, String status) {
        return locked(() -> {
            Status last = statuses.get(event.tenant());
            if (last != null ? last.status().equals(status) : "active".equals(status)) {
                return false; // no change (a tenant starts active)
            }
            long changes = last == null ? 1 : last.changes() + 1;
            statuses.put(event.tenant(), new Status(status, changes));
            return add(event.withId(event.id() + ":" + changes));
        });
    }

    @Override
    public CompletionStage<OptionalLong> lastGrantCalls(String tenant, String group) {
        return locked(() -> {
            Grant g = grants.get(key(tenant, group));
            return g == null ? OptionalLong.empty() : OptionalLong.of(g.calls());
        });
    }

    @Override
    public CompletionStage<Void> schedule(Reminder reminder) {
        return locked(() -> {
            reminders.put(reminder.id(), reminder);
            reminderDue.put(reminder.id(), reminder.dueAt());
            return null;
        });
    }

    @Override
    public CompletionStage<List<Reminder>> claimReminders(Instant now, Duration lease, int limit) {
        return locked(() -> {
            List<Reminder> due = reminderDue.entrySet().stream().filter(e -> !e.getValue().isAfter(now))
                    .sorted(Map.Entry.comparingByValue()).limit(limit).map(e -> reminders.get(e.getKey())).toList();
            due.forEach(r -> reminderDue.put(r.id(), now.plus(lease)));
            return due;
        });
    }

    @Override
    public CompletionStage<Void> reminderDone(String id) {
        return locked(() -> {
            reminders.remove(id);
            reminderDue.remove(id);
            return null;
        });
    }

    @Override
    public CompletionStage<Optional<EventRecord>> claim(Instant now, Duration lease) {
        return locked(() -> events.values().stream()
                .filter(e -> e.status == EventRecord.Status.PENDING && !e.due.isAfter(now))
                .min(Comparator.comparing((Entry e) -> e.due))
                .map(e -> {
                    e.due = now.plus(lease);
                    e.attempts++;
                    return e.record();
                }));
    }

    @Override
    public CompletionStage<Void> delivered(String id, Instant at) {
        return locked(() -> {
            Entry e = events.get(id);
            if (e != null) {
                e.status = EventRecord.Status.DELIVERED;
                e.deliveredAt = at;
            }
            return null;
        });
    }

    @Override
    public CompletionStage<Void> failed(String id, String error, Instant nextAttempt) {
        return locked(() -> {
            Entry e = events.get(id);
            if (e != null && e.status == EventRecord.Status.PENDING) {
                e.lastError = error;
                if (nextAttempt == null) {
                    e.status = EventRecord.Status.FAILED;
                } else {
                    e.due = nextAttempt;
                }
            }
            return null;
        });
    }

    @Override
    public CompletionStage<List<EventRecord>> recent(int limit) {
        return locked(() -> {
            List<EventRecord> all = new ArrayList<>();
            events.values().forEach(e -> all.add(0, e.record()));
            return List.copyOf(all.subList(0, Math.min(limit, all.size())));
        });
    }

    @Override
    public CompletionStage<Optional<EventRecord>> find(String id) {
        return locked(() -> Optional.ofNullable(events.get(id)).map(Entry::record));
    }

    @Override
    public CompletionStage<Optional<EventRecord>> replay(String id, Instant now) {
        return locked(() -> Optional.ofNullable(events.get(id)).map(e -> {
            e.status = EventRecord.Status.PENDING;
            e.attempts = 0;
            e.due = now;
            return e.record();
        }));
    }

    @Override
    public void close() {
        // Nothing to release.
    }

    private boolean add(BillingEvent event) {
        if (events.containsKey(event.id())) {
            return false;
        }
        events.put(event.id(), new Entry(event));
        return true;
    }

    private static String key(String tenant, String group) {
        return tenant + "\u001f" + group;
    }

    private synchronized <T> CompletionStage<T> locked(Supplier<T> step) {
        return CompletableFuture.completedFuture(step.get());
    }
}
