package io.quotagate.gateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code events}: billing events to a webhook; off while {@code webhook_url} is empty. */
final class EventsReader {

    private static final Pattern THRESHOLD = Pattern.compile("([0-9]{1,12})|([0-9]{1,2})%");
    private static final String THRESHOLD_EXPECTED = "a number of calls (e.g. 1000) or a share of the last grant, 1%..99%";
    private static final int MIN_SECRET = 16;

    private EventsReader() {
    }

    static EventsConfig events(ConfigMap root, Map<String, GroupConfig> groups) throws ConfigException {
        ConfigMap m = root.section("events", "webhook_url", "secret", "low_calls", "groups", "lot_expiry_notice",
                "qps_end_notice", "timeout", "max_attempts", "retry_initial", "retry_max");
        EventsConfig d = EventsConfig.OFF;
        URI url = url(m);
        String secret = m.string("secret", "");
        if (url != null && secret.length() < MIN_SECRET) {
            throw m.error("secret", (secret.isEmpty() ? "missing" : "too short")
                    + " (expected: at least " + MIN_SECRET + " characters when webhook_url is set)");
        }
        EventsConfig.Threshold lowCalls = threshold(m.get("low_calls"), d.lowCalls());
        Map<String, EventsConfig.Threshold> byGroup = new LinkedHashMap<>();
        ConfigNode groupsNode = m.get("groups");
        if (groupsNode != null) {
            for (ConfigMap.Entry entry : groupsNode.openMap().entries()) {
                if (!groups.containsKey(entry.key())) {
                    throw entry.value().keyError("unknown group (expected one of: " + String.join(", ", groups.keySet()) + ")");
                }
                ConfigMap g = entry.value().map("low_calls");
                byGroup.put(entry.key(), threshold(g.require("low_calls", THRESHOLD_EXPECTED), lowCalls));
            }
        }
        Duration retryInitial = m.duration("retry_initial", d.retryInitial());
        Duration retryMax = m.duration("retry_max", d.retryMax());
        if (retryMax.compareTo(retryInitial) < 0) {
            throw m.error("retry_max", retryMax + " (expected: >= retry_initial)");
        }
        return new EventsConfig(url, secret, lowCalls, byGroup, m.duration("lot_expiry_notice", d.lotExpiryNotice()),
                m.duration("qps_end_notice", d.qpsEndNotice()), m.duration("timeout", d.timeout()),
                m.integer("max_attempts", d.maxAttempts(), 1, 100), retryInitial, retryMax);
    }

    private static URI url(ConfigMap m) throws ConfigException {
        String text = m.string("webhook_url", "");
        if (text.isEmpty()) {
            return null;
        }
        try {
            URI uri = new URI(text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // refused below
        }
        throw m.get("webhook_url").invalid(text, "an http:// or https:// URL with a host, or empty for no events");
    }

    private static EventsConfig.Threshold threshold(ConfigNode node, EventsConfig.Threshold fallback) throws ConfigException {
        if (node == null) {
            return fallback;
        }
        String text = node.string();
        Matcher t = THRESHOLD.matcher(text);
        if (!t.matches() || t.group(2) != null && Integer.parseInt(t.group(2)) == 0) {
            throw node.invalid(text, THRESHOLD_EXPECTED);
        }
        return t.group(1) != null ? EventsConfig.Threshold.calls(Long.parseLong(t.group(1)))
                : EventsConfig.Threshold.percent(Integer.parseInt(t.group(2)));
    }
}
