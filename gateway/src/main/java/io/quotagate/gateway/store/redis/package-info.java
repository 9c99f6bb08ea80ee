/**
 * The Redis implementation of the quota store: {@link io.quotagate.gateway.store.redis.RedisQuotaStore}, its key
 * layout ({@link io.quotagate.gateway.store.redis.RedisKeys}), its Lua scripts ({@code lua/*.lua}, called by SHA)
 * and the Redisson client factory. The only package that imports Redisson.
 *
 * <p>One script call per admission; every key of a tenant carries the hash tag {@code {tenantId}}, so the scripts
 * run unchanged on Redis Cluster (keys derived inside a script, like the day's usage hash, are in the same slot).
 * Every script validates before its first write (Lua is not rolled back) and is idempotent by request or order id,
 * because Redisson resends a script whose answer timed out.
 *
 * <p>QPS window (rule 6): a list of the last admissions (µs, newest first); entries that left the window are dropped
 * from its tail, so it holds at most the limit in force (more only right after the limit was lowered). Admit iff
 * fewer than {@code limit} of the newest {@code limit} entries lie in {@code (now - 1 s, now]}. Changing the limit
 * stays exact: lowering it only looks at fewer of the newest entries; raising it finds at most the old limit's
 * entries, and the old limit already held for every window up to the last push, so no window that includes the
 * new admission can hold more than the new limit.
 *
 * <p>Cost of {@code admit.lua} (the one script per request): Redis spends most of it in the script around the
 * commands, so the script keeps redis.call()s, reply elements and number/string conversions few (see its header);
 * {@code RedisAdmitCostBenchmark} measures it. Caches in the group hash that keep it short: {@code nx} (look for
 * expired lots only once the earliest indexed expiry has come) and {@code wx} (refresh the window's expiry about once
 * a second, not on every push).
 */
package io.quotagate.gateway.store.redis;
