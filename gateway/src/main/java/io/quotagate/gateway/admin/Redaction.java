package io.quotagate.gateway.admin;

import java.util.regex.Pattern;

/**
 * Takes API keys out of text the admin API sends back or writes down that may quote a caller's input (error messages,
 * audit values): anything shaped like a key ({@code qg_<tenant>.<secret>}, even malformed) keeps its public part and
 * loses its secret, {@code qg_acme.<redacted>}. A key pasted into a tenant id or an order id goes no further.
 */
final class Redaction {

    private static final Pattern KEY = Pattern.compile("(qg_[A-Za-z0-9_-]*)\\.[A-Za-z0-9_-]+");

    private Redaction() {
    }

    static String keys(String text) {
        return text == null || !text.contains("qg_") ? text : KEY.matcher(text).replaceAll("$1.<redacted>");
    }
}
