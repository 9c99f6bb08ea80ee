package io.quotagate.gateway.store.redis;

import io.quotagate.gateway.store.OpResult;
import io.quotagate.gateway.store.OpResult.Refusal;
import io.quotagate.gateway.store.StoreRules;
import io.quotagate.gateway.store.UnchargedEntry;
import io.quotagate.gateway.store.redis.RedisScripts.Script;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What failing open ({@code on_error: allow}) needs from Redis: replica heartbeats ({@code lua/heartbeat.lua}, one
 * global sorted set) and the ledger line of each outage's uncharged admissions ({@code lua/uncharged.lua}, once per
 * entry id).
 */
final class RedisFailOpen {

    /** How long an entry's id is remembered: far longer than any retry of its write. */
    static final Duration UNCHARGED_RECORD_TTL = Duration.ofDays(30);

    private final RedisScripts scripts;

    RedisFailOpen(RedisScripts scripts) {
        this.scripts = scripts;
    }

    CompletionStage<OpResult<Boolean>> recordUncharged(UnchargedEntry e) {
        Optional<String> invalid = e.invalid();
        if (invalid.isPresent()) {
            return CompletableFuture.completedFuture(OpResult.refused(Refusal.INVALID, invalid.get()));
        }
        if (!StoreRules.validTenantId(e.tenantId())) {
            return CompletableFuture.completedFuture(OpResult.refused(Refusal.NOT_FOUND, "no such tenant"));
        }
        String t = e.tenantId();
        return scripts.run(Script.UNCHARGED, List.of(RedisKeys.tenant(t), RedisKeys.uncharged(t, e.group(), e.id())),
                RedisScripts.args(RedisKeys.prefix(t), e.group(), e.detail(), UNCHARGED_RECORD_TTL.toSeconds()))
                .thenApply(r -> "OK".equals(r.get(0)) ? OpResult.ok(Long.valueOf(1).equals(r.get(1)))
                        : OpResult.refused(Refusal.NOT_FOUND, String.valueOf(r.get(1))));
    }

    CompletionStage<Integer> heartbeat(String replicaId, Duration ttl) {
        return scripts.run(Script.HEARTBEAT, List.of(RedisKeys.REPLICAS), RedisScripts.args(replicaId, ttl.toMillis()))
                .thenApply(r -> ((Number) r.get(0)).intValue());
    }
}
