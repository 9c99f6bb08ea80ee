package io.quotagate.gateway.store;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One line of a tenant's ledger: every operation that changed what the tenant has.
 *
 * @param kind   e.g. {@code tenant_created}, {@code pack_granted}, {@code qps_bought}, {@code templates_granted},
 *               {@code mode_set}, {@code suspended}, {@code resumed}, {@code key_created}, {@code key_revoked},
 *               {@code uncharged_admissions} ({@link UnchargedEntry})
 * @param detail short human-readable detail
 */
public record LedgerEntry(Instant at, String kind, String group, String orderId, String detail, BigDecimal price, String currency) {
}
