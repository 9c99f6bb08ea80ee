package io.quotagate.gateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Reads {@code upstream}: where every admitted request goes, its timeouts, pool and extra headers. */
final class UpstreamReader {

    static final String DEFAULT_URL = "http://127.0.0.1:9000";
    private static final String URL_EXPECTED = "http://HOST[:PORT] or https://HOST[:PORT], without path, query or user info";
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    // Framing and hop-by-hop headers belong to the proxy; X-Tenant-Id is set by the gateway from the key.
    private static final Set<String> RESERVED = Set.of("connection", "content-length", "host", "keep-alive",
            "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "x-tenant-id");

    private UpstreamReader() {
    }

    static UpstreamConfig upstream(ConfigMap root) throws ConfigException {
        ConfigMap m = root.section("upstream", "url", "connect_timeout", "response_timeout", "idle_timeout", "headers",
                "pool");
        URI url = url(m.get("url"));
        Duration connectTimeout = m.duration("connect_timeout", Duration.ofSeconds(2));
        Duration responseTimeout = m.duration("response_timeout", Duration.ofSeconds(120));
        Duration idleTimeout = m.duration("idle_timeout", Duration.ofSeconds(60));
        Map<String, String> headers = headers(m.get("headers"));
        ConfigMap pool = m.section("pool", "max_connections", "idle_timeout");
        return new UpstreamConfig(url, connectTimeout, responseTimeout, headers,
                pool.integer("max_connections", 512, 1, 100_000),
                pool.duration("idle_timeout", Duration.ofSeconds(60)), idleTimeout);
    }

    private static URI url(ConfigNode node) throws ConfigException {
        if (node == null) {
            return URI.create(DEFAULT_URL);
        }
        String text = node.string();
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw node.invalid(text, URL_EXPECTED);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        // The proxy forwards the client's path unchanged, so a path here would be silently ignored.
        boolean valid = (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                && uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null
                && (path.isEmpty() || path.equals("/")) && uri.getPort() != 0 && uri.getPort() <= 65535;
        if (!valid) {
            throw node.invalid(text, URL_EXPECTED);
        }
        return uri;
    }

    private static Map<String, String> headers(ConfigNode node) throws ConfigException {
        Map<String, String> headers = new LinkedHashMap<>();
        if (node == null) {
            return headers;
        }
        Map<String, String> seen = new HashMap<>();
        for (ConfigMap.Entry entry : node.openMap().entries()) {
            String name = entry.key();
            ConfigNode value = entry.value();
            String lower = name.toLowerCase(Locale.ROOT);
            if (!TOKEN.matcher(name).matches()) {
                throw value.keyError("invalid header name (expected: an HTTP field name such as Authorization)");
            }
            if (RESERVED.contains(lower)) {
                throw value.keyError("set by the gateway itself (expected: a header other than "
                        + String.join(", ", new TreeSet<>(RESERVED)) + ")");
            }
            String earlier = seen.putIfAbsent(lower, name);
            if (earlier != null) {
                throw value.keyError("same header as " + earlier + " (header names ignore case)");
            }
            // RFC 9110 §5.5: a field value has no leading or trailing whitespace ("Bearer " from an empty variable).
            String text = value.string().strip();
            if (text.chars().anyMatch(c -> (c < ' ' && c != '\t') || c == 0x7f)) {
                throw value.error("contains control characters (expected: a header value on one line)");
            }
            headers.put(name, text);
        }
        return headers;
    }
}
