package io.quotagate.gateway.store;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Validation and order fingerprints shared by every {@link QuotaStore}, so that both implementations refuse
 * exactly the same commands, before anything is written.
 */
public final class StoreRules {

    /** SPEC §1: tenant ids; they become Redis hash tags, so nothing else may reach a key name. */
    public static final Pattern TENANT_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** Usage reads walk day by day: a bound keeps one read short. */
    public static final int MAX_USAGE_DAYS = 400;
    /** How long a cancelled request id outlives any resend of its admit. */
    public static final Duration TOMBSTONE_TTL = Duration.ofHours(24);
    /** How long a QPS window is kept after its last admission (it only ever needs one second). */
    public static final Duration WINDOW_TTL = Duration.ofSeconds(2);

    private StoreRules() {
    }

    /** {@code [a-z0-9][a-z0-9_-]{0,63}}, checked without a regex: it runs on every request. */
    public static boolean validTenantId(String id) {
        if (id == null || id.isEmpty() || id.length() > 64 || !lowerOrDigit(id.charAt(0))) {
            return false;
        }
        for (int i = 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!lowerOrDigit(c) && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** Whether an admit may be looked up at all; a malformed tenant id or digest is an invalid key. */
    public static boolean wellFormed(AdmitCommand c) {
        return validTenantId(c.tenantId()) && validDigest(c.keyDigest()) && validGroup(c.group());
    }

    /** {@code [A-Za-z0-9_-]{1,64}}. */
    public static boolean validGroup(String group) {
        if (group == null || group.isEmpty() || group.length() > 64) {
            return false;
        }
        for (int i = 0; i < group.length(); i++) {
            char c = group.charAt(i);
            if (!lowerOrDigit(c) && !(c >= 'A' && c <= 'Z') && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** Lower-case hex SHA-256: {@code [0-9a-f]{64}}. */
    private static boolean validDigest(String digest) {
        if (digest == null || digest.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = digest.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean lowerOrDigit(char c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
    }

    public static Optional<String> checkCreate(TenantOps.CreateTenant c) {
        if (!validTenantId(c.tenantId())) {
            return Optional.of("tenant id " + c.tenantId() + " does not match " + TENANT_ID.pattern());
        }
        return firstError(checkText("name", c.name()), checkKey(c.firstKey()),
                c.groups().keySet().stream().filter(g -> !validGroup(g)).findFirst().map(g -> "bad group " + g));
    }

    public static Optional<String> checkKey(KeyInfo key) {
        if (key == null || key.keyId() == null || !KEY_ID.matcher(key.keyId()).matches()) {
            return Optional.of("key id must match " + KEY_ID.pattern());
        }
        if (!validDigest(key.digest())) {
            return Optional.of("key digest must be 64 lower-case hex characters");
        }
        return Optional.empty();
    }

    public static Optional<String> checkPack(TenantOps.GrantPack c) {
        if (c.calls() <= 0) {
            return Optional.of("calls: " + c.calls() + " (expected: > 0)");
        }
        if (c.grantedAt() == null || c.expiresAt() == null || !c.expiresAt().isAfter(c.grantedAt())
                || c.grantedAt().isBefore(Instant.EPOCH)) {
            return Optional.of("expires_at must be after granted_at");
        }
        return firstError(checkGroup(c.group()), checkOrder(c.orderId()), checkText("currency", c.currency()));
    }

    public static Optional<String> checkQps(TenantOps.BuyQps c) {
        if (c.qps() <= 0) {
            return Optional.of("qps: " + c.qps() + " (expected: > 0)");
        }
        if (c.startsAt() == null || c.endsAt() == null || !c.endsAt().isAfter(c.startsAt())) {
            return Optional.of("ends_at must be after starts_at");
        }
        if (c.qps() > c.maxQps()) {
            return Optional.of("qps: " + c.qps() + " (max_qps " + c.maxQps() + ")");
        }
        return firstError(checkGroup(c.group()), checkOrder(c.orderId()), checkText("currency", c.currency()));
    }

    public static Optional<String> checkTemplates(TenantOps.GrantTemplates c) {
        if (c.slots() <= 0) {
            return Optional.of("slots: " + c.slots() + " (expected: > 0)");
        }
        return firstError(checkGroup(c.group()), checkOrder(c.orderId()), checkText("currency", c.currency()));
    }

    public static Optional<String> checkUsageRange(LocalDate from, LocalDate to) {
        if (from == null || to == null || to.isBefore(from)) {
            return Optional.of("usage range: to must not be before from");
        }
        if (ChronoUnit.DAYS.between(from, to) >= MAX_USAGE_DAYS) {
            return Optional.of("usage range: at most " + MAX_USAGE_DAYS + " days");
        }
        return Optional.empty();
    }

    public static Optional<String> checkGroup(String group) {
        return validGroup(group) ? Optional.empty() : Optional.of("bad group " + group);
    }

    /**
     * What makes two grants "the same body" (rule 10): the kind, the group and the amount. Times and prices are
     * left out because a retried admin call recomputes them (default start = now, catalog price); the first
     * grant's values are the ones kept.
     */
    public static String fingerprint(TenantOps.GrantPack c) {
        return "pack|" + c.group() + "|" + c.calls();
    }

    public static String fingerprint(TenantOps.BuyQps c) {
        return "qps|" + c.group() + "|" + c.qps() + "|" + Duration.between(c.startsAt(), c.endsAt()).toDays();
    }

    public static String fingerprint(TenantOps.GrantTemplates c) {
        return "templates|" + c.group() + "|" + c.slots();
    }

    /** A repeated create (a retry after a timeout) carries the same first key; any other create is a conflict. */
    public static String fingerprint(TenantOps.CreateTenant c) {
        return c.firstKey().keyId() + "|" + c.firstKey().digest() + "|" + c.name();
    }

    private static Optional<String> checkOrder(String orderId) {
        return orderId != null && ORDER_ID.matcher(orderId).matches()
                ? Optional.empty() : Optional.of("order id must match " + ORDER_ID.pattern());
    }

    /** Stored text is framed with control characters, so none may appear in it. */
    private static Optional<String> checkText(String what, String text) {
        if (text != null && (text.length() > 200 || text.chars().anyMatch(Character::isISOControl))) {
            return Optional.of(what + ": at most 200 characters, no control characters");
        }
        return Optional.empty();
    }

    @SafeVarargs
    private static Optional<String> firstError(Optional<String>... checks) {
        for (Optional<String> check : checks) {
            if (check.isPresent()) {
                return check;
            }
        }
        return Optional.empty();
    }
}
