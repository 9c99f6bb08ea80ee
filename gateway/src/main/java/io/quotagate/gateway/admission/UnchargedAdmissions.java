package io.quotagate.gateway.admission;

import io.quotagate.gateway.store.UnchargedEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The requests this replica forwarded uncharged (failing open), counted in memory by tenant and group for the
 * current outage, and the entries of closed outages until they are written to the ledger.
 *
 * <p>An outage starts with the first uncharged admission after the previous outage closed, and closes at the first
 * {@link #tick} at which the store answered and no request was counted since the tick before: each outage has its
 * own sequence number (from 1 per replica start), and each of its tenants and groups becomes one
 * {@link UnchargedEntry} with the id {@code <replica id>.<outage>}, which the store writes once.
 *
 * <p>Thread-safe: one lock, taken only on the failure path and by the background task.
 */
final class UnchargedAdmissions {

    private record Key(String tenant, String group) {
    }

    private static final class Tally {
        long requests;
        long calls;
        long first;
        long last;
    }

    private final String replicaId;
    private final Map<Key, Tally> open = new LinkedHashMap<>();
    private final List<UnchargedEntry> pending = new ArrayList<>();
    private long outage = 1;
    private boolean countedSinceTick;

    UnchargedAdmissions(String replicaId) {
        this.replicaId = replicaId;
    }

    /** One request forwarded uncharged; {@code calls} it would have been charged (its route's cost, or 0). */
    synchronized void count(String tenant, String group, long calls, long nowMillis) {
        Tally t = open.computeIfAbsent(new Key(tenant, group), k -> new Tally());
        // Callers read the clock before the lock: times may arrive slightly out of order.
        t.first = t.requests == 0 ? nowMillis : Math.min(t.first, nowMillis);
        t.last = t.requests == 0 ? nowMillis : Math.max(t.last, nowMillis);
        t.requests++;
        t.calls += calls;
        countedSinceTick = true;
    }

    /**
     * The background task's beat: when the store answered it and nothing was counted since the last beat, the
     * current outage (if any) closes and its entries join the pending ones. Returns whether an outage closed.
     */
    synchronized boolean tick(boolean storeAnswered) {
        boolean quiet = !countedSinceTick;
        countedSinceTick = false;
        if (!storeAnswered || !quiet || open.isEmpty()) {
            return false;
        }
        closeOutage();
        return true;
    }

    /** Closes the current outage whatever the store does (a stopping replica); returns every pending entry. */
    synchronized List<UnchargedEntry> closeAll() {
        if (!open.isEmpty()) {
            closeOutage();
        }
        return List.copyOf(pending);
    }

    /** The entries of closed outages not written yet, oldest first. */
    synchronized List<UnchargedEntry> pending() {
        return List.copyOf(pending);
    }

    /** The entry is in the ledger (or can never be): no longer pending. Returns whether it still was. */
    synchronized boolean done(UnchargedEntry entry) {
        return pending.remove(entry);
    }

    /** Requests counted and not written to the ledger yet: the current outage's and the pending entries'. */
    synchronized long unwritten() {
        long n = 0;
        for (Tally t : open.values()) {
            n += t.requests;
        }
        for (UnchargedEntry e : pending) {
            n += e.requests();
        }
        return n;
    }

    String replicaId() {
        return replicaId;
    }

    private void closeOutage() {
        String id = UnchargedEntry.id(replicaId, outage++);
        open.forEach((k, t) -> pending.add(new UnchargedEntry(id, k.tenant(), k.group(), t.requests, t.calls,
                Instant.ofEpochMilli(t.first), Instant.ofEpochMilli(t.last), replicaId)));
        open.clear();
    }
}
