package io.quotagate.gateway.reload;

import io.quotagate.gateway.config.GatewayConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The settings a running replica cannot change: they are bound at start-up (listening sockets, event
 * loop threads, the TLS context, the proxy pipeline and upstream pools, the store client, the metrics
 * registry's labels). What a reload does change: groups, routes, limits, overrides, defaults, on_error,
 * and catalog. A reload still
 * swaps in the whole new config, so {@code config show} prints the file as it is, but the composition
 * root must read these from the config it started with; this class names the ones that differ so the
 * operator is told a restart is needed.
 */
final class RestartOnlySettings {

    private RestartOnlySettings() {
    }

    /** Descriptions such as {@code server.port: 8080 -> 8081}, in file order; empty when none changed. */
    static List<String> changed(GatewayConfig before, GatewayConfig after) {
        List<String> changed = new ArrayList<>();
        compare(changed, "server.bind", before.server().bind(), after.server().bind());
        compare(changed, "server.port", before.server().port(), after.server().port());
        compare(changed, "server.tls", before.server().tls(), after.server().tls());
        compare(changed, "server.io_threads", before.server().ioThreads(), after.server().ioThreads());
        // The listener's pipeline is built from the start-up config: body limit, timeouts and parser limits too.
        compare(changed, "server.max_body", before.server().maxBody(), after.server().maxBody());
        compare(changed, "server.idle_timeout", before.server().idleTimeout(), after.server().idleTimeout());
        compare(changed, "server.header_timeout", before.server().headerTimeout(), after.server().headerTimeout());
        compare(changed, "server.shutdown_timeout", before.server().shutdownTimeout(), after.server().shutdownTimeout());
        compare(changed, "server.max_initial_line", before.server().maxInitialLineLength(), after.server().maxInitialLineLength());
        compare(changed, "server.max_header_size", before.server().maxHeaderSize(), after.server().maxHeaderSize());
        compare(changed, "server.body_timeout", before.server().bodyTimeout(), after.server().bodyTimeout());
        compare(changed, "server.write_idle", before.server().writeIdle(), after.server().writeIdle());
        compare(changed, "server.body_buffer", before.server().bodyBuffer(), after.server().bodyBuffer());
        compare(changed, "server.max_connections", before.server().maxConnections(), after.server().maxConnections());
        compare(changed, "server.max_connections_per_address", before.server().maxConnectionsPerAddress(),
                after.server().maxConnectionsPerAddress());
        compare(changed, "server.underscores_in_headers", before.server().underscoresInHeaders(),
                after.server().underscoresInHeaders());
        compare(changed, "upstream.url", before.upstream().url(), after.upstream().url());
        compare(changed, "upstream.connect_timeout", before.upstream().connectTimeout(), after.upstream().connectTimeout());
        compare(changed, "upstream.response_timeout", before.upstream().responseTimeout(), after.upstream().responseTimeout());
        compare(changed, "upstream.idle_timeout", before.upstream().idleTimeout(), after.upstream().idleTimeout());
        compare(changed, "upstream.pool.max_connections", before.upstream().maxConnections(), after.upstream().maxConnections());
        compare(changed, "upstream.pool.idle_timeout", before.upstream().poolIdleTimeout(), after.upstream().poolIdleTimeout());
        // Header values may be credentials: say that they changed, not what they are.
        if (!Objects.equals(before.upstream().headers(), after.upstream().headers())) {
            changed.add("upstream.headers: changed");
        }
        compare(changed, "admin.bind", before.admin().bind(), after.admin().bind());
        compare(changed, "admin.port", before.admin().port(), after.admin().port());
        if (!Objects.equals(before.admin().token(), after.admin().token())) {
            changed.add("admin.token: changed"); // the admin listener checks the token it started with
        }
        compare(changed, "admin.throttle", before.admin().throttle(), after.admin().throttle());
        compare(changed, "store.type", before.store().type(), after.store().type());
        // Values left out: the Redis section holds addresses and possibly a password, and the log need not.
        if (!Objects.equals(before.store().redis(), after.store().redis())) {
            changed.add("store.redis: changed");
        }
        compare(changed, "status", before.status(), after.status());
        compare(changed, "metrics.tenant_label", before.metrics().tenantLabel(), after.metrics().tenantLabel());
        compare(changed, "metrics.low_calls.interval", before.metrics().lowCallsInterval(), after.metrics().lowCallsInterval());
        compare(changed, "metrics.low_calls.max_tenants", before.metrics().lowCallsMaxTenants(), after.metrics().lowCallsMaxTenants());
        compare(changed, "access_log", before.accessLog(), after.accessLog());
        return changed;
    }

    private static void compare(List<String> changed, String key, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            changed.add(key + ": " + (before == null ? "none" : before) + " -> " + (after == null ? "none" : after));
        }
    }
}
