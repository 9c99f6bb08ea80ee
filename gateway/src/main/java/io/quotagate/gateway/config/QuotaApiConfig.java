package io.quotagate.gateway.config;

/**
 * The client quota endpoint on the public listener ({@code quota_api}): a tenant reads its own balance with its
 * API key. Reloadable: the proxy reads it per request.
 *
 * @param enabled   whether {@code GET path} is answered by the gateway (otherwise it is routed like any request)
 * @param path      the exact path, e.g. {@code /v1/quota}; it wins over any route that would match it
 * @param perKeyQps reads one API key may make per second on one replica; more get 429 {@code qps_exceeded}
 */
public record QuotaApiConfig(boolean enabled, String path, int perKeyQps) {

    public static final QuotaApiConfig DEFAULT = new QuotaApiConfig(true, "/v1/quota", 5);
}
