/**
 * Where quotas live: the {@link io.quotagate.gateway.store.QuotaStore} contract, its value types, the rules both
 * implementations share ({@link io.quotagate.gateway.store.StoreRules}) and the in-memory store. Nothing here
 * touches the network; the Redis store lives in {@code store.redis}.
 *
 * <p>Decisions where SPEC §2 is silent (both stores behave the same way; {@code QuotaStoreContract} checks it):
 * <ul>
 *   <li>Denial order: invalid key, suspended, then permanent reasons before the transient one
 *       ({@code qps_not_purchased}, {@code calls_exhausted}, {@code template_quota_exhausted}, then
 *       {@code qps_exceeded}), so a client that waits for {@code Retry-After} is not then told it has no credit.</li>
 *   <li>A denial writes nothing but the day's rejection counter, and only for an existing tenant with a valid key;
 *       a first-time lazy activation of the group is kept even when the request is then denied (it is owed).</li>
 *   <li>QPS mode: {@code qps_not_purchased} only for QPS-limited routes; a route with {@code qps: false} is outside
 *       the QPS quota (in count mode it is still charged its cost); template slots are bought separately, so a
 *       {@code templates: create} route with {@code qps: false} only needs a slot.</li>
 *   <li>{@code limit} in a result is 0 for a route that is not QPS-limited.</li>
 *   <li>Rule 10 for grants: "the same body" means the same kind, group and amount (a QPS purchase also its length in
 *       days); times and prices are the first grant's, because a retried admin call recomputes them. Order ids are
 *       scoped per tenant.</li>
 *   <li>{@code createTenant} repeated with the same first key and name returns the tenant (a retry after a timeout);
 *       any other create of an existing id is a conflict.</li>
 *   <li>An admit whose request id was cancelled is {@code Denied(CANCELLED)} and charges nothing, also when
 *       repeated after a cancel that refunded it.</li>
 *   <li>Refunds are counted in the usage of the day the request was admitted; a refund to an expired lot is void
 *       and not counted.</li>
 *   <li>Settle or cancel after the request record's retention (or the 24 h tombstone) does nothing.</li>
 *   <li>{@code setStatus}, {@code setMode} and key operations are idempotent and write a ledger line only when they
 *       change something.</li>
 * </ul>
 */
package io.quotagate.gateway.store;
