package io.quotagate.gateway.proxy;

import io.netty.handler.ssl.SslContext;
import io.quotagate.gateway.accesslog.AccessLog;
import io.quotagate.gateway.admission.Admission;
import io.quotagate.gateway.config.ServerConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.quota.QuotaReads;

/**
 * The collaborators every client connection shares (immutable; handlers hold it, never mutable state).
 *
 * @param serverSsl null for a plain HTTP listener
 * @param quota     the client quota endpoint, or null when this listener has none
 */
record ProxyContext(ServerConfig server, Admission admission, GatewayMetrics metrics, RequestHeadWriter requestWriter,
                    UpstreamPools pools, SslContext serverSsl, QuotaReads quota, AccessLog accessLog) {
}
