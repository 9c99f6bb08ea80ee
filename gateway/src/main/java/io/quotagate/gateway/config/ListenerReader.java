package io.quotagate.gateway.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Reads {@code server}, {@code admin}, {@code status}, {@code metrics} and {@code access_log}: the listeners and what
 * they expose.
 */
final class ListenerReader {

    // An IP literal (IPv6 without brackets, optional zone) or a host name; resolution happens at bind time.
    private static final Pattern BIND = Pattern.compile("[A-Za-z0-9._:%-]+");
    private static final String BIND_EXPECTED = "an IP address or host name, e.g. 0.0.0.0 or 127.0.0.1";

    private ListenerReader() {
    }

    static ServerConfig server(ConfigMap root) throws ConfigException {
        ConfigMap m = root.section("server", "bind", "port", "max_body", "tls", "idle_timeout", "header_timeout",
                "shutdown_timeout", "max_initial_line", "max_header_size", "io_threads", "body_timeout", "write_idle",
                "body_buffer", "max_connections", "max_connections_per_address", "underscores_in_headers");
        return new ServerConfig(
                bind(m, "0.0.0.0"),
                m.integer("port", 8080, 0, 65535),
                m.size("max_body", 50 * Sizes.MB, 0, Long.MAX_VALUE),
                tls(m),
                m.duration("idle_timeout", Duration.ofSeconds(60)),
                m.duration("header_timeout", Duration.ofSeconds(10)),
                m.durationOrZero("shutdown_timeout", Duration.ofSeconds(30)),
                (int) m.size("max_initial_line", 8 * Sizes.KB, 1, Sizes.MB),
                (int) m.size("max_header_size", 16 * Sizes.KB, 1, Sizes.MB),
                m.integer("io_threads", 0, 0, 1024),
                m.duration("body_timeout", Duration.ofSeconds(30)),
                m.duration("write_idle", Duration.ofSeconds(60)),
                m.size("body_buffer", 16 * Sizes.KB, 0, 16 * Sizes.MB),
                m.integer("max_connections", 10_000, 1, 1_000_000),
                m.integer("max_connections_per_address", 1_000, 0, 1_000_000),
                "forward".equals(m.choice("underscores_in_headers", "drop", "drop", "forward"))
                        ? UnderscoresInHeaders.FORWARD : UnderscoresInHeaders.DROP);
    }

    static AdminConfig admin(ConfigMap root, ServerConfig server) throws ConfigException {
        ConfigMap m = root.section("admin", "bind", "port", "token", "throttle");
        String bind = bind(m, "127.0.0.1");
        int port = m.integer("port", 9090, 0, 65535);
        if (port != 0 && port == server.port()) {
            throw m.error("port", port + " (expected: a port other than server.port)");
        }
        String token = m.string("token", "");
        // Compared against a request header: whitespace or controls would make it unusable or ambiguous.
        if (token.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw m.error("token", "contains whitespace or control characters (expected: a printable token)");
        }
        return new AdminConfig(bind, port, token, throttle(m));
    }

    private static AdminConfig.Throttle throttle(ConfigMap admin) throws ConfigException {
        ConfigMap m = admin.section("throttle", "failures", "window", "cooldown");
        AdminConfig.Throttle d = AdminConfig.Throttle.DEFAULT;
        return new AdminConfig.Throttle(m.integer("failures", d.failures(), 1, 1_000_000),
                m.duration("window", d.window()), m.duration("cooldown", d.cooldown()));
    }

    /** Off without a {@code status} section; its port must differ from the two other listeners'. */
    static StatusConfig status(ConfigMap root, ServerConfig server, AdminConfig admin) throws ConfigException {
        if (root.get("status") == null) {
            return StatusConfig.OFF;
        }
        ConfigMap m = root.section("status", "bind", "port");
        String bind = bind(m, StatusConfig.OFF.bind());
        int port = m.integer("port", StatusConfig.OFF.port(), 0, 65535);
        if (port != 0 && port == server.port()) {
            throw m.error("port", port + " (expected: a port other than server.port)");
        }
        if (port != 0 && port == admin.port()) {
            throw m.error("port", port + " (expected: a port other than admin.port)");
        }
        return new StatusConfig(true, bind, port);
    }

    static MetricsConfig metrics(ConfigMap root) throws ConfigException {
        ConfigMap m = root.section("metrics", "tenant_label", "low_calls");
        ConfigMap low = m.section("low_calls", "threshold", "interval", "max_tenants");
        return new MetricsConfig(m.bool("tenant_label", true),
                low.integer("threshold", (int) MetricsConfig.DEFAULT_LOW_CALLS_THRESHOLD, 1, Integer.MAX_VALUE),
                low.duration("interval", MetricsConfig.DEFAULT_LOW_CALLS_INTERVAL),
                low.integer("max_tenants", MetricsConfig.DEFAULT_LOW_CALLS_MAX_TENANTS, 1, 10_000_000));
    }

    /** Off without an {@code access_log} section; {@code enabled} defaults to true once the section is there. */
    static AccessLogConfig accessLog(ConfigMap root) throws ConfigException {
        if (root.get("access_log") == null) {
            return AccessLogConfig.OFF;
        }
        ConfigMap m = root.section("access_log", "enabled", "file", "queue");
        return new AccessLogConfig(m.bool("enabled", true), accessLogFile(m.get("file")),
                m.integer("queue", AccessLogConfig.DEFAULT_QUEUE, 1, 10_000_000));
    }

    /** Empty for standard output; otherwise a file in an existing directory, relative to the config file's. */
    private static String accessLogFile(ConfigNode node) throws ConfigException {
        if (node == null || node.string().isEmpty()) {
            return "";
        }
        String text = node.string();
        Path path;
        try {
            path = node.context().baseDir().resolve(text).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw node.invalid(text, "a file path");
        }
        if (path.getParent() == null || !Files.isDirectory(path.getParent()) || Files.isDirectory(path)) {
            throw node.invalid(text, "a file in an existing directory, or empty for standard output");
        }
        return path.toString();
    }

    private static String bind(ConfigMap m, String defaultValue) throws ConfigException {
        String bind = m.string("bind", defaultValue);
        if (!BIND.matcher(bind).matches()) {
            throw m.get("bind").invalid(bind, BIND_EXPECTED);
        }
        return bind;
    }

    private static TlsConfig tls(ConfigMap server) throws ConfigException {
        ConfigNode node = server.get("tls");
        if (node == null) {
            return null;
        }
        ConfigMap m = node.map("cert", "key");
        Path cert = readableFile(m.require("cert", "a PEM certificate chain file"));
        Path key = readableFile(m.require("key", "a PEM private key file"));
        return new TlsConfig(cert, key);
    }

    /** Checked now so that a reload with a missing file is refused instead of failing later at handshake time. */
    private static Path readableFile(ConfigNode node) throws ConfigException {
        String text = node.string();
        Path path;
        try {
            path = node.context().baseDir().resolve(text);
        } catch (InvalidPathException e) {
            throw node.invalid(text, "a file path");
        }
        if (text.isEmpty() || !Files.isRegularFile(path)) {
            throw node.invalid(text, "an existing file" + (path.isAbsolute() && !text.equals(path.toString()) ? ", looked for " + path : ""));
        }
        if (!Files.isReadable(path)) {
            throw node.invalid(text, "a file this process can read");
        }
        return path;
    }
}
