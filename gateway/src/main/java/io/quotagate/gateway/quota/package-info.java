/**
 * The client quota endpoint ({@code GET /v1/quota}): a tenant reads its own balance with its own API key. The
 * proxy recognises the request and writes the reply; {@link io.quotagate.gateway.quota.QuotaReads} decides
 * (key, tenant status, a per-key rate) and reads the store once, never writing.
 */
package io.quotagate.gateway.quota;
