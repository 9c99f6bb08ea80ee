package io.quotagate.gateway.store.redis;

/**
 * Names of every Redis key. All keys of a tenant start with {@code qg:{tenantId}:}, so they share one hash slot
 * and every script runs unchanged on Redis Cluster; only the tenant list is global.
 *
 * <pre>
 * qg:tenants                 set of tenant ids (tenantIds(); written after the create script)
 * qg:{t}:t                   tenant hash: id, name, status, created, fp (create fingerprint), seq (id counter)
 * qg:{t}:k                   hash: SHA-256 digest of an active key → key id (all admission reads)
 * qg:{t}:ki                  hash: key id → digest|created|revoked
 * qg:{t}:groups              set of the tenant's groups
 * qg:{t}:g:G                 group hash: mode, tq (template quota), tu (used), act (activated at), calls (usable total)
 * qg:{t}:g:G:l               lots hash: id → source|calls|granted|expires|order, id:r → remaining
 * qg:{t}:g:G:i               zset of lots with calls left, in use order (free 0, paid by expiry; member grant|id)
 * qg:{t}:g:G:q / :qi         QPS purchases hash id → qps|starts|ends|order, and zset of not-ended ones by end
 * qg:{t}:g:G:w               list of the last admissions (µs, newest first), at most the limit; expires 2 s after use
 * qg:{t}:rq:R                request record (rule 10), TTL = retention (24 h for a tombstone)
 * qg:{t}:o:O                 order record: fingerprint and first result
 * qg:{t}:ledger              list of ledger lines
 * qg:{t}:u:G:D               usage counters of group G on epoch day D, TTL 400 days
 * </pre>
 */
final class RedisKeys {

    static final String TENANTS = "qg:tenants";

    private RedisKeys() {
    }

    static String prefix(String tenantId) {
        return "qg:{" + tenantId + "}:";
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

    static String request(String tenantId, String requestId) {
        return prefix(tenantId) + "rq:" + requestId;
    }

    static String order(String tenantId, String orderId) {
        return prefix(tenantId) + "o:" + orderId;
    }

    static String ledger(String tenantId) {
        return prefix(tenantId) + "ledger";
    }
}
