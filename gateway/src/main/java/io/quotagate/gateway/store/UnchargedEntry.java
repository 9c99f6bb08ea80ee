package io.quotagate.gateway.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The requests one replica forwarded uncharged for one tenant and group during one store outage
 * ({@code on_error: allow}), as one line of the tenant's ledger (kind {@link #KIND}) written once the store is back,
 * for operators to settle. {@link QuotaStore#recordUncharged} writes an id once per tenant and group: a repeat (a
 * retry after a timeout) writes nothing.
 *
 * @param id        {@code <replicaId>.<outage>}: the replica and its outage sequence number (from 1 per start)
 * @param requests  requests forwarded uncharged (at least 1)
 * @param calls     what they would have been charged in count mode (their routes' costs; 0 in QPS mode)
 * @param first     when the first of them was admitted (the replica's clock)
 * @param last      when the last of them was admitted
 * @param replicaId the replica that forwarded them
 */
public record UnchargedEntry(String id, String tenantId, String group, long requests, long calls, Instant first,
                             Instant last, String replicaId) {

    /** The ledger kind of these lines. */
    public static final String KIND = "uncharged_admissions";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}\\.[0-9]{1,18}");

    public UnchargedEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(last, "last");
        Objects.requireNonNull(replicaId, "replicaId");
    }

    /** The id of outage {@code outage} of replica {@code replicaId}. */
    public static String id(String replicaId, long outage) {
        return replicaId + "." + outage;
    }

    /** Why a store must refuse this entry, or empty. */
    public Optional<String> invalid() {
        if (!ID.matcher(id).matches() || !id.startsWith(replicaId + ".")) {
            return Optional.of("bad uncharged entry id " + id + " (expected: <replica id>.<outage number>)");
        }
        if (!StoreRules.validGroup(group)) {
            return Optional.of("bad group " + group);
        }
        if (requests < 1 || calls < 0) {
            return Optional.of("requests: " + requests + ", calls: " + calls + " (expected: requests >= 1, calls >= 0)");
        }
        if (last.isBefore(first)) {
            return Optional.of("last " + last + " is before first " + first);
        }
        return Optional.empty();
    }

    /**
     * The ledger line's detail, the same from every store, e.g. {@code requests=12 calls=12
     * first=2026-01-15T10:00:01.234Z last=2026-01-15T10:00:05.001Z replica=k3x9 id=k3x9.1}.
     */
    public String detail() {
        return "requests=" + requests + " calls=" + calls + " first=" + first + " last=" + last
                + " replica=" + replicaId + " id=" + id;
    }
}
