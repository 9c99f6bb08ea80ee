package io.quotagate.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * What {@link RequestHeadWriter} does with each client field, by name (case-insensitive). A lookup compares a
 * name only with the known names of the same length, which for a typical head is one compare or none: cheaper
 * than asking a header map for each of the ~20 names. A name with {@code _} that would become a known name if
 * {@code _} were {@code -} ({@code X_Tenant_Id}, {@code X_Api_Key}, {@code Transfer_Encoding}) is dropped: some
 * upstream stacks make that substitution, and the proxy must not forward what they would read as a field it owns.
 * (Such names reach here only with {@code server.underscores_in_headers: forward}.) Immutable after construction;
 * shared by every connection.
 */
final class FieldRules {

    static final byte KEEP = 0;
    static final byte DROP = 1;
    /** Dropped; its tokens name more fields to drop. */
    static final byte CONNECTION = 2;
    /** Dropped; the proxy appends its value to the client's. */
    static final byte FORWARDED_FOR = 3;
    static final byte VIA = 4;
    /** Dropped; its value becomes X-Forwarded-Host. */
    static final byte HOST = 5;
    /** Dropped when the API key came from it. */
    static final byte AUTHORIZATION = 6;
    /** Kept, written as the decimal the decoder read (no leading zeros). */
    static final byte CONTENT_LENGTH = 7;

    /** The proxy answers 100-continue; the key, the identity headers and the request id are the gateway's to set. */
    private static final AsciiString[] GATEWAY_OWNED = {
        HttpHeaderNames.EXPECT, KeyHeaders.X_API_KEY, ForwardingHeaders.X_TENANT_ID, ForwardingHeaders.X_FORWARDED_PROTO,
        ForwardingHeaders.X_FORWARDED_HOST, ForwardingHeaders.X_REQUEST_ID,
    };

    /** Known names by length, and their rules in parallel. */
    private AsciiString[][] names = new AsciiString[0][];
    private byte[][] rules = new byte[0][];
    /** False when a configured upstream header of that name replaces what the proxy would add. */
    final boolean addForwardedFor;
    final boolean addForwardedProto;
    final boolean addForwardedHost;
    final boolean addVia;

    /** @param configured names of the configured upstream headers: dropped from the client, set by the proxy */
    FieldRules(Collection<String> configured) {
        for (String name : ForwardingHeaders.HOP_BY_HOP) { // Transfer-Encoding is re-derived, never copied
            put(new AsciiString(name), DROP);
        }
        for (AsciiString name : GATEWAY_OWNED) {
            put(name, DROP);
        }
        put(HttpHeaderNames.CONNECTION, CONNECTION); // replaces its DROP: its tokens name more fields
        put(ForwardingHeaders.X_FORWARDED_FOR, FORWARDED_FOR);
        put(HttpHeaderNames.VIA, VIA);
        put(HttpHeaderNames.HOST, HOST);
        put(HttpHeaderNames.AUTHORIZATION, AUTHORIZATION);
        put(HttpHeaderNames.CONTENT_LENGTH, CONTENT_LENGTH);
        for (String name : configured) {
            put(new AsciiString(name), DROP); // after the others: a configured Authorization is always replaced
        }
        for (int len = 0; len < names.length; len++) {
            if (names[len] == null) {
                names[len] = new AsciiString[0];
                rules[len] = new byte[0];
            }
        }
        addForwardedFor = !contains(configured, ForwardingHeaders.X_FORWARDED_FOR);
        addForwardedProto = !contains(configured, ForwardingHeaders.X_FORWARDED_PROTO);
        addForwardedHost = !contains(configured, ForwardingHeaders.X_FORWARDED_HOST);
        addVia = !contains(configured, HttpHeaderNames.VIA);
    }

    /** The rule for a field name. */
    byte of(CharSequence name) {
        byte rule = exact(name);
        return rule == KEEP && foldsIntoKnownName(name) ? DROP : rule;
    }

    private byte exact(CharSequence name) {
        int len = name.length();
        if (len < names.length) {
            AsciiString[] candidates = names[len];
            for (int i = 0; i < candidates.length; i++) {
                if (candidates[i].contentEqualsIgnoreCase(name)) {
                    return rules[len][i];
                }
            }
        }
        return KEEP;
    }

    /** Whether the name has a '_' and, with each '_' read as '-', names a field that is not simply kept. */
    private boolean foldsIntoKnownName(CharSequence name) {
        int len = name.length();
        if (len >= names.length || names[len].length == 0) {
            return false; // no known name of that length: the common case ends here, without a scan
        }
        for (int i = 0; i < len; i++) {
            if (name.charAt(i) == '_') {
                return exact(name.toString().replace('_', '-')) != KEEP;
            }
        }
        return false;
    }

    /**
     * The fields named in a Connection value that a walk over the fields would otherwise copy or use: empty for
     * {@code keep-alive} or {@code Upgrade} (dropped anyway); {@code close} is listed, since a field of that name
     * would have to go. Content-Length and Host are never dropped this way.
     */
    List<AsciiString> listedToRemove(String connection, boolean keyInAuthorization) {
        List<AsciiString> listed = new ArrayList<>(2);
        for (String token : connection.split(",")) {
            AsciiString name = new AsciiString(token.trim());
            byte rule = of(name);
            boolean used = rule == KEEP || rule == FORWARDED_FOR || rule == VIA || (rule == AUTHORIZATION && !keyInAuthorization);
            if (used && !name.isEmpty() && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
                listed.add(name);
            }
        }
        return listed;
    }

    static boolean contains(Collection<? extends CharSequence> names, CharSequence name) {
        for (CharSequence n : names) {
            if (AsciiString.contentEqualsIgnoreCase(n, name)) {
                return true;
            }
        }
        return false;
    }

    private void put(AsciiString name, byte rule) {
        int len = name.length();
        if (len >= names.length) {
            names = Arrays.copyOf(names, len + 1);
            rules = Arrays.copyOf(rules, len + 1);
        }
        AsciiString[] same = names[len] == null ? new AsciiString[0] : names[len];
        for (int i = 0; i < same.length; i++) {
            if (same[i].contentEqualsIgnoreCase(name)) {
                rules[len][i] = rule;
                return;
            }
        }
        names[len] = Arrays.copyOf(same, same.length + 1);
        rules[len] = Arrays.copyOf(rules[len] == null ? new byte[0] : rules[len], same.length + 1);
        names[len][same.length] = name;
        rules[len][same.length] = rule;
    }
}
