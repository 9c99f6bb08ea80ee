package io.quotagate.deploy;

import java.util.LinkedHashMap;
import java.util.Map;

/** The directives of a {@code redis.conf} text: name to its arguments, comments removed (the last one wins, as in Redis). */
final class RedisConf {

    private RedisConf() {
    }

    static Map<String, String> settings(String text) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String directive = line.replaceFirst("#.*", "").strip();
            if (!directive.isEmpty()) {
                String[] parts = directive.split("\\s+", 2);
                settings.put(parts[0], parts.length > 1 ? parts[1] : "");
            }
        }
        return settings;
    }
}
