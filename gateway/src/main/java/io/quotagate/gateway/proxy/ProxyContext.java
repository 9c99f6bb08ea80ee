package io.quotagate.gateway.proxy;

import io.netty.handler.ssl.SslContext;
import io.quotagate.gateway.accesslog.AccessLog;
import io.quotagate.gateway.admission.Admission;
import io.quotagate.gateway.config.ServerConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;

/**
 * The collaborators every client connection shares (immutable; handlers hold it, never mutable state).
 *
 * @param serverSsl null for a plain HTTP listener
 */
record ProxyContext(ServerConfig server, Admission admission, GatewayMetrics metrics, RequestHeadWriter requestWriter,
                    UpstreamPools pools, SslContext serverSsl, AccessLog accessLog) {
}
