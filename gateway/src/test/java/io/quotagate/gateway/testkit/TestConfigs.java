package io.quotagate.gateway.testkit;

import io.quotagate.gateway.config.AccessLogConfig;
import io.quotagate.gateway.config.AdminConfig;
import io.quotagate.gateway.config.Catalog;
import io.quotagate.gateway.config.Defaults;
import io.quotagate.gateway.config.EventsConfig;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.config.GroupConfig;
import io.quotagate.gateway.config.MetricsConfig;

import io.quotagate.gateway.config.OnError;
import io.quotagate.gateway.config.QuotaApiConfig;
import io.quotagate.gateway.config.RefundPolicy;
import io.quotagate.gateway.config.RouteConfig;
import io.quotagate.gateway.config.RouteConfig.TemplateAction;
import io.quotagate.gateway.config.ServerConfig;
import io.quotagate.gateway.config.Span;
import io.quotagate.gateway.config.StatusConfig;
import io.quotagate.gateway.config.StoreConfig;
import io.quotagate.gateway.config.TlsConfig;
import io.quotagate.gateway.config.UnderscoresInHeaders;
import io.quotagate.gateway.config.UpstreamConfig;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds {@link GatewayConfig}s in code for tests, with sane defaults: ports 0, memory store, the {@code portrait}
 * group with the four SPEC §4 routes, and a {@code test} group whose routes {@code <METHOD> /test/**} (for every
 * common method) let tests send arbitrary paths through the proxy.
 */
public final class TestConfigs {

    public static final List<String> TEST_METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private TestConfigs() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The default config pointing at {@code upstream}. */
    public static GatewayConfig pointingAt(URI upstream) {
        return builder().upstream(upstream).build();
    }

    /** Mutable builder; every setter returns {@code this}. */
    public static final class Builder {
        private URI upstream = URI.create("http://127.0.0.1:9");
        private int port;
        private long maxBody = 50L * 1024 * 1024;
        private TlsConfig tls;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration headerTimeout = Duration.ofSeconds(10);
        private Duration shutdownTimeout = Duration.ofSeconds(5);
        private int maxInitialLineLength = 4096;
        private int maxHeaderSize = 8192;
        private int ioThreads = 2;
        private Duration bodyTimeout = Duration.ofSeconds(30);
        private Duration writeIdle = Duration.ofSeconds(60);
        private long bodyBuffer = 16 * 1024;
        private int maxClientConnections = 10_000;
        private int maxConnectionsPerAddress = 1_000;
        private Duration upstreamIdleTimeout = Duration.ofSeconds(60);
        private UnderscoresInHeaders underscoresInHeaders = UnderscoresInHeaders.DROP;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration responseTimeout = Duration.ofSeconds(10);
        private final Map<String, String> upstreamHeaders = new LinkedHashMap<>();
        private int maxConnections = 64;
        private Duration poolIdleTimeout = Duration.ofSeconds(60);
        private final Map<String, GroupConfig> groups = new LinkedHashMap<>();
        private QuotaApiConfig quotaApi = QuotaApiConfig.DEFAULT;

        private Builder() {
            groups.put("portrait", portrait());
            groups.put("test", testGroup());
        }

        public Builder upstream(URI url) {
            this.upstream = url;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder maxBody(long bytes) {
            this.maxBody = bytes;
            return this;
        }

        public Builder tls(Path cert, Path key) {
            this.tls = new TlsConfig(cert, key);
            return this;
        }

        public Builder idleTimeout(Duration d) {
            this.idleTimeout = d;
            return this;
        }

        public Builder headerTimeout(Duration d) {
            this.headerTimeout = d;
            return this;
        }

        public Builder shutdownTimeout(Duration d) {
            this.shutdownTimeout = d;
            return this;
        }

        public Builder maxInitialLineLength(int n) {
            this.maxInitialLineLength = n;
            return this;
        }

        public Builder maxHeaderSize(int n) {
            this.maxHeaderSize = n;
            return this;
        }

        public Builder underscoresInHeaders(UnderscoresInHeaders u) {
            this.underscoresInHeaders = u;
            return this;
        }

        public Builder ioThreads(int n) {
            this.ioThreads = n;
            return this;
        }

        public Builder bodyTimeout(Duration d) {
            this.bodyTimeout = d;
            return this;
        }

        public Builder writeIdle(Duration d) {
            this.writeIdle = d;
            return this;
        }

        /** {@code server.body_buffer}: bodies up to this many bytes are read whole before forwarding. */
        public Builder bodyBuffer(long bytes) {
            this.bodyBuffer = bytes;
            return this;
        }

        /** {@code server.max_connections} and {@code server.max_connections_per_address}. */
        public Builder clientConnections(int total, int perAddress) {
            this.maxClientConnections = total;
            this.maxConnectionsPerAddress = perAddress;
            return this;
        }

        /** {@code upstream.idle_timeout}. */
        public Builder upstreamIdleTimeout(Duration d) {
            this.upstreamIdleTimeout = d;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        public Builder responseTimeout(Duration d) {
            this.responseTimeout = d;
            return this;
        }

        public Builder upstreamHeader(String name, String value) {
            upstreamHeaders.put(name, value);
            return this;
        }

        public Builder maxConnections(int n) {
            this.maxConnections = n;
            return this;
        }

        public Builder poolIdleTimeout(Duration d) {
            this.poolIdleTimeout = d;
            return this;
        }

        /** Adds (or replaces) a group. */
        public Builder group(GroupConfig group) {
            groups.put(group.name(), group);
            return this;
        }

        public Builder quotaApi(QuotaApiConfig api) {
            this.quotaApi = api;
            return this;
        }

        /** Drops the {@code test} catch-all group (only the portrait routes remain). */
        public Builder withoutTestRoutes() {
            groups.remove("test");
            return this;
        }

        public GatewayConfig build() {
            ServerConfig server = new ServerConfig("127.0.0.1", port, maxBody, tls, idleTimeout, headerTimeout,
                    shutdownTimeout, maxInitialLineLength, maxHeaderSize, ioThreads, bodyTimeout, writeIdle, bodyBuffer,
                    maxClientConnections, maxConnectionsPerAddress, underscoresInHeaders);
            UpstreamConfig up = new UpstreamConfig(upstream, connectTimeout, responseTimeout, upstreamHeaders,
                    maxConnections, poolIdleTimeout, upstreamIdleTimeout);
            Defaults defaults = new Defaults(200, 20, new Span(365, ChronoUnit.DAYS), new Span(1, ChronoUnit.YEARS),
                    new RefundPolicy(List.of(new RefundPolicy.StatusRange(500, 599), new RefundPolicy.StatusRange(429, 429))));
            Catalog catalog = new Catalog("CNY", new TreeMap<>(Map.of(1000L, new BigDecimal("400"))), List.of(
                    new Catalog.QpsTier(null, new BigDecimal("140"), new BigDecimal("3600"))),
                    new TreeMap<>(Map.of(100L, new BigDecimal("400"))));
            return new GatewayConfig(server, new AdminConfig("127.0.0.1", 0, "test-admin-token"), StatusConfig.OFF, up,
                    new StoreConfig(StoreConfig.Type.MEMORY, null, OnError.REJECT), defaults, groups, Map.of(), catalog,
                    new MetricsConfig(true), quotaApi, EventsConfig.OFF, AccessLogConfig.OFF, "TestConfigs", "0");
        }
    }

    /** The SPEC §4 portrait group. */
    public static GroupConfig portrait() {
        return new GroupConfig("portrait", 10, 300, null, List.of(
                new RouteConfig("POST", "/v1/portrait/generate", 1, true, TemplateAction.NONE),
                new RouteConfig("GET", "/v1/portrait/tasks/{id}", 0, false, TemplateAction.NONE),
                new RouteConfig("POST", "/v1/templates", 1, true, TemplateAction.CREATE),
                new RouteConfig("DELETE", "/v1/templates/{id}", 0, true, TemplateAction.DELETE)));
    }

    /** {@code <METHOD> /test/**} for every method in {@link #TEST_METHODS}, free and unmetered. */
    public static GroupConfig testGroup() {
        List<RouteConfig> routes = new ArrayList<>();
        for (String method : TEST_METHODS) {
            routes.add(new RouteConfig(method, "/test/**", 0, false, TemplateAction.NONE));
        }
        return new GroupConfig("test", 1000, 1000, null, routes);
    }
}
