package io.quotagate.gateway.quota;

import io.quotagate.gateway.admission.ApiKeys;
import io.quotagate.gateway.admission.Decision;
import io.quotagate.gateway.admission.RejectionCode;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.config.GroupConfig;
import io.quotagate.gateway.config.QuotaApiConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.store.KeyInfo;
import io.quotagate.gateway.store.QuotaStore;
import io.quotagate.gateway.store.TenantSnapshot;
import io.quotagate.gateway.store.TenantView;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The quota endpoint's service: checks the key like admission does (same codes, same bodies), limits each key to
 * {@code quota_api.per_key_qps} reads per second on this replica, reads the tenant and its key digests in one store
 * step and renders the report. Never writes to the store, never touches a group's QPS window, charges nothing.
 * Config is read per call, so a reload applies from the next request.
 */
public final class QuotaReads {

    private static final String TOO_FAST = "Too many quota reads per second for this API key.";

    private final Supplier<GatewayConfig> configs;
    private final QuotaStore store;
    private final GatewayMetrics metrics;
    private final InstantSource clock;
    private final KeyRate rate = new KeyRate();

    public QuotaReads(Supplier<GatewayConfig> configs, QuotaStore store, GatewayMetrics metrics, InstantSource clock) {
        this.configs = configs;
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Whether a request with this method and raw path (no query) is a quota read. */
    public boolean handles(String method, String path) {
        QuotaApiConfig api = configs.get().quotaApi();
        return api.enabled() && "GET".equals(method) && api.path().equals(path);
    }

    /** The reply for a read presenting {@code apiKey} (null when none was sent). Never completes exceptionally. */
    public CompletionStage<QuotaReply> read(String apiKey) {
        GatewayConfig config = configs.get();
        if (apiKey == null || apiKey.isEmpty()) {
            return done(refused(RejectionCode.MISSING_API_KEY, null, 0));
        }
        String tenant = ApiKeys.tenantOf(apiKey);
        if (tenant == null) {
            return done(refused(RejectionCode.INVALID_API_KEY, null, 0));
        }
        String digest = ApiKeys.digest(apiKey);
        if (!rate.tryAcquire(digest, config.quotaApi().perKeyQps(), clock.millis())) {
            return done(new QuotaReply.Refused(new Decision.Rejected(RejectionCode.QPS_EXCEEDED, TOO_FAST, null, 1,
                    null, tenant)));
        }
        return store.snapshot(tenant).handle((snapshot, error) -> {
            if (error != null) {
                metrics.storeError(error);
                return refused(RejectionCode.QUOTA_STORE_UNAVAILABLE, tenant, 1);
            }
            return answer(config, snapshot, digest);
        }).thenApply(this::counted);
    }

    private QuotaReply answer(GatewayConfig config, Optional<TenantSnapshot> found, String digest) {
        if (found.isEmpty() || !hasActiveKey(found.get().keys(), digest)) {
            return refused(RejectionCode.INVALID_API_KEY, null, 0);
        }
        TenantView view = found.get().view();
        if (view.status() == TenantView.Status.SUSPENDED) {
            return refused(RejectionCode.TENANT_SUSPENDED, null, 0);
        }
        Instant now = clock.instant();
        List<GroupQuota> groups = new ArrayList<>();
        for (GroupConfig group : config.groups().values()) {
            groups.add(GroupQuota.of(config, view.id(), group, view.groups().get(group.name()), now));
        }
        return new QuotaReply.Report(view.id(), QuotaJson.report(view.id(), now, groups));
    }

    /** Every active key is compared, in constant time each, so the timing says nothing about which one matched. */
    private static boolean hasActiveKey(List<KeyInfo> keys, String digest) {
        byte[] presented = digest.getBytes(StandardCharsets.US_ASCII);
        boolean match = false;
        for (KeyInfo key : keys) {
            match |= key.active() && MessageDigest.isEqual(presented, key.digest().getBytes(StandardCharsets.US_ASCII));
        }
        return match;
    }

    private CompletionStage<QuotaReply> done(QuotaReply reply) {
        return CompletableFuture.completedFuture(counted(reply));
    }

    private QuotaReply counted(QuotaReply reply) {
        metrics.quotaRead(reply instanceof QuotaReply.Refused r ? r.rejected().code().wire() : GatewayMetrics.ANSWERED);
        return reply;
    }

    private static QuotaReply refused(RejectionCode code, String tenant, long retryAfterSeconds) {
        return new QuotaReply.Refused(new Decision.Rejected(code, code.defaultMessage(), null, retryAfterSeconds, null,
                tenant));
    }
}
