package io.quotagate.gateway.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quotagate.gateway.config.Catalog;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.config.GroupConfig;
import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.config.RouteConfig;
import java.util.Locale;
import java.util.TreeMap;

/**
 * The config in force as {@code GET /v1/config} shows it: effective values after {@code ${VAR}} substitution, with
 * every secret (admin token, Redis password, upstream header values) replaced by {@code <redacted>}.
 */
final class ConfigJson {

    static final String REDACTED = "<redacted>";

    private ConfigJson() {
    }

    /** {@code {"source","content_hash","config":{…}}}. */
    static ObjectNode info(GatewayConfig c) {
        ObjectNode body = AdminJson.object().put("source", c.source()).put("content_hash", c.contentHash());
        body.set("config", config(c));
        return body;
    }

    static ObjectNode config(GatewayConfig c) {
        ObjectNode root = AdminJson.object();
        root.putObject("server").put("bind", c.server().bind()).put("port", c.server().port())
                .put("max_body", c.server().maxBody()).put("tls", c.server().tls() != null);
        ObjectNode admin = root.putObject("admin").put("bind", c.admin().bind()).put("port", c.admin().port())
                .put("token", secret(c.admin().token()));
        admin.putObject("throttle").put("failures", c.admin().throttle().failures())
                .put("window", String.valueOf(c.admin().throttle().window()))
                .put("cooldown", String.valueOf(c.admin().throttle().cooldown()));
        ObjectNode upstream = root.putObject("upstream").put("url", String.valueOf(c.upstream().url()))
                .put("connect_timeout", String.valueOf(c.upstream().connectTimeout()))
                .put("response_timeout", String.valueOf(c.upstream().responseTimeout()));
        ObjectNode headers = upstream.putObject("headers");
        new TreeMap<>(c.upstream().headers()).forEach((name, value) -> headers.put(name, secret(value)));
        ObjectNode store = root.putObject("store").put("type", lower(c.store().type()))
                .put("on_error", lower(c.store().onError()));
        if (c.store().redis() != null) {
            store.set("redis", redis(c.store().redis()));
        }
        root.putObject("defaults").put("free_calls", c.defaults().freeCalls())
                .put("free_templates", c.defaults().freeTemplates())
                .put("free_pack_validity", String.valueOf(c.defaults().freePackValidity()))
                .put("pack_validity", String.valueOf(c.defaults().packValidity()));
        ObjectNode groups = root.putObject("groups");
        new TreeMap<>(c.groups()).forEach((name, group) -> groups.set(name, group(group)));
        ObjectNode overrides = root.putObject("overrides");
        new TreeMap<>(c.overrides()).forEach((tenant, byGroup) -> {
            ObjectNode t = overrides.putObject(tenant);
            new TreeMap<>(byGroup).forEach((group, o) -> t.putObject(group).put("count_mode_qps", o.countModeQps())
                    .put("max_qps", o.maxQps()));
        });
        root.set("catalog", catalog(c.catalog()));
        root.putObject("quota_api").put("enabled", c.quotaApi().enabled()).put("path", c.quotaApi().path())
                .put("per_key_qps", c.quotaApi().perKeyQps());
        ObjectNode events = root.putObject("events")
                .put("webhook_url", c.events().enabled() ? withoutQuery(c.events().webhookUrl()) : null)
                .put("secret", secret(c.events().secret()))
                .put("low_calls", c.events().lowCalls().toString())
                .put("lot_expiry_notice", String.valueOf(c.events().lotExpiryNotice()))
                .put("qps_end_notice", String.valueOf(c.events().qpsEndNotice()))
                .put("max_attempts", c.events().maxAttempts());
        ObjectNode byGroup = events.putObject("groups");
        new TreeMap<>(c.events().lowCallsByGroup()).forEach((g, t) -> byGroup.putObject(g).put("low_calls", t.toString()));
        return root;
    }

    private static ObjectNode group(GroupConfig group) {
        ObjectNode node = AdminJson.object().put("count_mode_qps", group.countModeQps()).put("max_qps", group.maxQps())
                .put("on_error", group.onError() == null ? null : lower(group.onError()));
        ArrayNode routes = node.putArray("routes");
        for (RouteConfig route : group.routes()) {
            routes.add(AdminJson.object().put("match", route.match()).put("cost", route.cost()).put("qps", route.qps())
                    .put("templates", lower(route.templates())));
        }
        return node;
    }

    private static ObjectNode redis(RedisConfig redis) {
        ObjectNode node = AdminJson.object().put("address", redis.address())
                .put("password", redis.password() == null || redis.password().isEmpty() ? null : REDACTED)
                .put("timeout", String.valueOf(redis.timeout()));
        ArrayNode cluster = node.putArray("cluster");
        redis.cluster().forEach(cluster::add);
        if (redis.sentinel() != null) {
            ArrayNode addresses = node.putObject("sentinel").put("master", redis.sentinel().master())
                    .putArray("addresses");
            redis.sentinel().addresses().forEach(addresses::add);
        }
        return node;
    }

    private static ObjectNode catalog(Catalog catalog) {
        ObjectNode node = AdminJson.object().put("currency", catalog.currency());
        ObjectNode packs = node.putObject("packs");
        catalog.packs().forEach((size, price) -> packs.put(String.valueOf(size), AdminJson.money(price)));
        ArrayNode tiers = node.putArray("qps");
        catalog.qps().forEach(tier -> tiers.add(AdminJson.object().put("below", tier.below())
                .put("per_day", AdminJson.money(tier.perDay())).put("per_month", AdminJson.money(tier.perMonth()))));
        ObjectNode templates = node.putObject("templates");
        catalog.templates().forEach((size, price) -> templates.put(String.valueOf(size), AdminJson.money(price)));
        return node;
    }

    /** A webhook URL may carry a token in its query or user info: shown without them. */
    private static String withoutQuery(java.net.URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    private static String secret(String value) {
        return value == null || value.isEmpty() ? value : REDACTED;
    }

    private static String lower(Enum<?> value) {
        return value == null ? null : value.name().toLowerCase(Locale.ROOT);
    }
}
