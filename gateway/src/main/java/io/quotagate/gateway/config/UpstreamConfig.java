package io.quotagate.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The one upstream every route forwards to.
 *
 * @param headers         set on every forwarded request (an upstream credential, say), replacing client values
 * @param maxConnections  keep-alive connections to the upstream, at most, per event loop
 * @param poolIdleTimeout an idle pooled connection is closed after this
 * @param idleTimeout     a response body that stalls this long while the gateway waits on the upstream is cut
 */
public record UpstreamConfig(
        URI url,
        Duration connectTimeout,
        Duration responseTimeout,
        Map<String, String> headers,
        int maxConnections,
        Duration poolIdleTimeout,
        Duration idleTimeout) {

    public UpstreamConfig {
        headers = Map.copyOf(headers);
    }

    public String host() {
        return url.getHost();
    }

    public boolean tls() {
        return "https".equalsIgnoreCase(url.getScheme());
    }

    public int port() {
        int port = url.getPort();
        return port > 0 ? port : tls() ? 443 : 80;
    }

    /** The value of the Host header sent upstream: host, plus port when it is not the scheme's default. */
    public String hostHeader() {
        int port = url.getPort();
        boolean defaultPort = port < 0 || (tls() && port == 443) || (!tls() && port == 80);
        return defaultPort ? url.getHost() : url.getHost() + ":" + port;
    }
}
