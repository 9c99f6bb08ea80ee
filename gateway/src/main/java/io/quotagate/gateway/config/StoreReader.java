package io.quotagate.gateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Reads {@code store}: the memory store (default, needs no Redis) or one of three ways to reach Redis. */
final class StoreReader {

    private static final String ADDRESS_EXPECTED = "redis://HOST:PORT or rediss://HOST:PORT (the password goes in store.redis.password)";
    private static final Pattern MASTER = Pattern.compile("[A-Za-z0-9._-]+");

    private StoreReader() {
    }

    static StoreConfig store(ConfigMap root) throws ConfigException {
        ConfigMap m = root.section("store", "type", "redis", "on_error");
        String type = m.choice("type", "memory", "memory", "redis");
        OnError onError = onError(m, OnError.REJECT);
        ConfigNode redis = m.get("redis");
        if (type.equals("memory")) {
            if (redis != null) {
                // Refused rather than ignored: whoever wrote it probably believes counters are in Redis.
                throw redis.keyError("only used with type: redis (expected: remove it, or set store.type: redis)");
            }
            return new StoreConfig(StoreConfig.Type.MEMORY, null, onError);
        }
        if (redis == null) {
            throw m.error("redis", "missing (expected: one of address, cluster, sentinel when store.type is redis)");
        }
        return new StoreConfig(StoreConfig.Type.REDIS, redis(redis), onError);
    }

    /** {@code on_error: reject|allow}; shared by the store and each group (whose default is null: inherit). */
    static OnError onError(ConfigMap m, OnError defaultValue) throws ConfigException {
        String value = m.choice("on_error", null, "reject", "allow");
        return value == null ? defaultValue : OnError.valueOf(value.toUpperCase(Locale.ROOT));
    }

    private static RedisConfig redis(ConfigNode node) throws ConfigException {
        ConfigMap m = node.map("address", "cluster", "sentinel", "password", "timeout", "retry_attempts",
                "calls_in_flight");
        List<String> modes = new ArrayList<>();
        for (String mode : List.of("address", "cluster", "sentinel")) {
            if (m.get(mode) != null) {
                modes.add(mode);
            }
        }
        if (modes.size() != 1) {
            String found = modes.isEmpty() ? "none" : String.join(", ", modes);
            throw node.error("sets " + found + " (expected: exactly one of address, cluster, sentinel)");
        }
        String address = m.get("address") == null ? null : address(m.get("address"));
        List<String> cluster = m.get("cluster") == null ? null : addresses(m.get("cluster"));
        RedisConfig.SentinelConfig sentinel = m.get("sentinel") == null ? null : sentinel(m.get("sentinel"));
        String password = m.string("password", "");
        return new RedisConfig(address, cluster, sentinel, password.isEmpty() ? null : password,
                m.duration("timeout", Duration.ofMillis(200)),
                m.integer("retry_attempts", 2, 0, 10),
                m.integer("calls_in_flight", RedisConfig.DEFAULT_CALLS_IN_FLIGHT, 0, 1024));
    }

    private static RedisConfig.SentinelConfig sentinel(ConfigNode node) throws ConfigException {
        ConfigMap m = node.map("master", "addresses");
        ConfigNode masterNode = m.require("master", "the master name Sentinel monitors");
        String master = masterNode.string();
        if (!MASTER.matcher(master).matches()) {
            throw masterNode.invalid(master, "a master name such as mymaster");
        }
        return new RedisConfig.SentinelConfig(master, addresses(m.require("addresses", "a list of Sentinel addresses")));
    }

    private static List<String> addresses(ConfigNode node) throws ConfigException {
        List<String> addresses = new ArrayList<>();
        for (ConfigNode item : node.list()) {
            addresses.add(address(item));
        }
        if (addresses.isEmpty()) {
            throw node.error("empty (expected: at least one address)");
        }
        return addresses;
    }

    private static String address(ConfigNode node) throws ConfigException {
        String text = node.string();
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme();
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            if ((scheme.equals("redis") || scheme.equals("rediss")) && uri.getHost() != null
                    && uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null
                    && path.isEmpty() && uri.getPort() != 0 && uri.getPort() <= 65535) {
                return text;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw node.invalid(text, ADDRESS_EXPECTED);
    }
}
