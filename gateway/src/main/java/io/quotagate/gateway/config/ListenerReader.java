package io.quotagate.gateway.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/** Reads {@code server}, {@code admin} and {@code metrics}: the two listeners and what they expose. */
final class ListenerReader {

    // An IP literal (IPv6 without brackets, optional zone) or a host name; resolution happens at bind time.
    private static final Pattern BIND = Pattern.compile("[A-Za-z0-9._:%-]+");
    private static final String BIND_EXPECTED = "an IP address or host name, e.g. 0.0.0.0 or 127.0.0.1";

    private ListenerReader() {
    }

    static ServerConfig server(ConfigMap root) throws ConfigException {
        ConfigMap m = root.section("server", "bind", "port", "max_body", "tls", "idle_timeout", "header_timeout",
                "shutdown_timeout", "max_initial_line", "max_header_size", "io_threads", "underscores_in_headers");
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
                "forward".equals(m.choice("underscores_in_headers", "drop", "drop", "forward"))
                        ? UnderscoresInHeaders.FORWARD : UnderscoresInHeaders.DROP);
    }

    static AdminConfig admin(ConfigMap root, ServerConfig server) throws ConfigException {
        ConfigMap m = root.section("admin", "bind", "port", "token");
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
        return new AdminConfig(bind, port, token);
    }

    static MetricsConfig metrics(ConfigMap root) throws ConfigException {
        ConfigMap m = root.section("metrics", "tenant_label");
        return new MetricsConfig(m.bool("tenant_label", true));
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
