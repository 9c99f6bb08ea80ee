package io.quotagate.gateway.config;

import java.util.regex.Pattern;

/** Reads {@code quota_api}: the client quota endpoint (on by default). */
final class QuotaApiReader {

    /** Absolute, plain segments only: the path is compared exactly, so patterns or a query would never match. */
    private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._~-]+)+");

    private QuotaApiReader() {
    }

    static QuotaApiConfig quotaApi(ConfigMap root) throws ConfigException {
        ConfigMap m = root.section("quota_api", "enabled", "path", "per_key_qps");
        QuotaApiConfig d = QuotaApiConfig.DEFAULT;
        String path = m.string("path", d.path());
        if (!PATH.matcher(path).matches()) {
            throw m.get("path").invalid(path, "an absolute path of plain segments, e.g. /v1/quota");
        }
        return new QuotaApiConfig(m.bool("enabled", d.enabled()), path, m.integer("per_key_qps", d.perKeyQps(), 1, 1000));
    }
}
