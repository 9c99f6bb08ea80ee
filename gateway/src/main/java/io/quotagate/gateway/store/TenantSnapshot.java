package io.quotagate.gateway.store;

import java.util.List;

/**
 * A tenant and its keys (digests only), read in one atomic step: what the client quota endpoint needs to check a
 * key and answer from the same read.
 */
public record TenantSnapshot(TenantView view, List<KeyInfo> keys) {

    public TenantSnapshot {
        keys = List.copyOf(keys);
    }
}
