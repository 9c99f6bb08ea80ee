package io.quotagate.gateway.store.redis;

/**
 * Names of every Redis key. All keys of a tenant start with {@code qg:{tenantId}:}, so they share one hash slot
 * and every script runs unchanged on Redis Cluster; only the tenant list and the replica heartbeats are global.
 *
 * <pre>
 * qg:tenants                 set of tenant ids (tenantIds(); written after the create script)
 * qg:{t}:t                   tenant hash: id, name, status, created, fp (create fingerprint), seq (id counter)
 * qg:{t}:k                   hash: SHA-256 digest of an active key → key id (all admission reads)
 * qg:{t}:ki                  hash: key id → digest|created|revoked
 * qg:{t}:groups              set of the tenant's groups
 * qg:{t}:g:G                 group hash: mode, tq (template quota), tu (used), act (activated at), calls (usable total),
 *                            nx (no indexed lot expires before nx ms: admit.lua sets it, every ZADD into :i lowers it;
 *                            absent: unknown), wx (admit.lua refreshes the window's expiry once wx ms has passed)
 * qg:{t}:g:G:l               lots hash: id → source|calls|granted|expires|order, id:r → remaining
 * qg:{t}:g:G:i               zset of lots with calls left, in use order (free 0, paid by expiry; member grant|id)
 * qg:{t}:g:G:q / :qi         QPS purchases hash id → qps|starts|ends|order, and zset of not-ended ones by end
 * qg:{t}:g:G:w               list of the admissions in the last second (µs, newest first); expires 2-3 s after use
 * qg:{t}:rb:B                request records (rule 10) of a bucket B of request ids (see requestBucket): hash
 *                            request id → one string of fields separated by U+001F: state (applied, settled,
 *                            cancelled), mode, limit, window remaining, reset, calls remaining, charged, group, day,
 *                            templates, taken, charged from the free lot; or "tomb". TTL = retention after its last record (at least 24 h once
 *                            one was cancelled)
 * qg:{t}:rq:R                the same record as a string per request, written by versions before buckets (read by
 *                            settle.lua only, until they expire)
 * qg:{t}:o:O                 order record: fingerprint and first result
 * qg:{t}:ledger              list of ledger lines
 * qg:{t}:uc:G:I              marker of uncharged entry I of group G written to the ledger (once per id), TTL 30 days
 * qg:{t}:u:G:D               usage counters of group G on epoch day D, TTL 400 days from its first count
 * qg:replicas               zset of replica ids scored by their last heartbeat (Redis ms); global, like qg:tenants
 * qg:changed                 pub/sub channel (no key): "qg:{t}:" when calls, QPS, mode, status or keys of t changed
 * </pre>
 */
final class RedisKeys {

    static final String TENANTS = "qg:tenants";
    /** Replica ids by their last heartbeat: how many replicas share a QPS limit while failing open. */
    static final String REPLICAS = "qg:replicas";
    /** Pub/sub channel: a tenant's key prefix, published by the scripts that can turn a denial into an admission. */
    static final String CHANGED_CHANNEL = "qg:changed";

    private RedisKeys() {
    }

    static String prefix(String tenantId) {
        return "qg:{" + tenantId + "}:";
    }

    /** The tenant id of a key prefix {@code qg:{t}:}, or null if it is not one. */
    static String tenantOfPrefix(String prefix) {
        if (prefix == null || !prefix.startsWith("qg:{") || !prefix.endsWith("}:")) {
            return null;
        }
        return prefix.substring(4, prefix.length() - 2);
    }

    static String tenant(String tenantId) {
        return prefix(tenantId) + "t";
    }

    static String digests(String tenantId) {
        return prefix(tenantId) + "k";
    }

    static String keyRecords(String tenantId) {
        return prefix(tenantId) + "ki";
    }

    static String group(String tenantId, String group) {
        return prefix(tenantId) + "g:" + group;
    }

    static String window(String tenantId, String group) {
        return group(tenantId, group) + ":w";
    }

    /**
     * The hash holding the record of {@code requestId}: ids that differ only in their last two characters share one
     * (the counters of {@code RequestIds} are base 36, so up to 1,296 consecutive requests of a replica), so a
     * batch writes one key, not one per request, and Redis keeps far fewer keys with a TTL. Any id works: a short or
     * unrelated one simply gets a bucket of its own.
     */
    static String requestBucket(String tenantId, String requestId) {
        String bucket = requestId.length() > 8 ? requestId.substring(0, requestId.length() - 2) : requestId;
        return prefix(tenantId) + "rb:" + bucket;
    }

    /** A request's record as versions before buckets wrote it (one string key per request). */
    static String request(String tenantId, String requestId) {
        return prefix(tenantId) + "rq:" + requestId;
    }

    static String order(String tenantId, String orderId) {
        return prefix(tenantId) + "o:" + orderId;
    }

    static String ledger(String tenantId) {
        return prefix(tenantId) + "ledger";
    }

    /** The marker that uncharged entry {@code id} of {@code group} was written to the tenant's ledger. */
    static String uncharged(String tenantId, String group, String id) {
        return prefix(tenantId) + "uc:" + group + ":" + id;
    }
}
