package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import io.quotagate.gateway.config.UpstreamConfig;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Writes the head of a forwarded request as the upstream reads it, straight into one buffer, while walking the
 * client's fields once: no header map is mutated and no request encoder runs (the upstream pipeline has none: see
 * {@link UpstreamPool}). Not a handler: {@link Exchange} calls it when it got an upstream connection.
 *
 * <p>Left out of the client's fields: hop-by-hop fields (RFC 9110 §7.6.1) and every field named in
 * {@code Connection} except the framing and Host fields, {@code Expect} (the proxy answers 100-continue itself),
 * the API key ({@code X-Api-Key}; {@code Authorization} when the key came from it), {@code X-Tenant-Id},
 * {@code X-Forwarded-Proto/-Host}, {@code X-Request-Id}, {@code Host}, the configured upstream headers, and any name
 * that becomes one of these when its {@code _} are read as {@code -} (see {@link FieldRules}). Added after the
 * client's fields, in this order: {@code Transfer-Encoding: chunked} for a chunked body, {@code X-Request-Id},
 * {@code X-Tenant-Id},
 * {@code X-Forwarded-For} and {@code Via} (appended to the client's values, on one line),
 * {@code X-Forwarded-Proto}, {@code X-Forwarded-Host} (the client's Host), {@code Host} of the upstream URL and
 * the configured headers. Framing is re-derived, never copied: naming Content-Length in Connection cannot drop it.
 * Constant lines are encoded once, here. Immutable; shared by every connection.
 */
final class RequestHeadWriter {

    private static final byte[] VERSION_CRLF = AsciiString.cached(" HTTP/1.1\r\n").toByteArray();
    private static final byte[] CHUNKED_LINE = line(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
    private static final byte[] PROTO_HTTP_LINE = line(ForwardingHeaders.X_FORWARDED_PROTO, "http");
    private static final byte[] PROTO_HTTPS_LINE = line(ForwardingHeaders.X_FORWARDED_PROTO, "https");
    private static final byte[] VIA_LINE = line(HttpHeaderNames.VIA, ForwardingHeaders.VIA_VALUE);
    private static final short CRLF = ('\r' << 8) | '\n';
    private static final short COLON_SP = (':' << 8) | ' ';

    /** Trailer fields pass only where a head field of that name would pass as it is. */
    private final Predicate<CharSequence> trailerFilter;
    private final FieldRules rules;
    private final byte[] hostLine;
    private final byte[] configuredLines;

    RequestHeadWriter(UpstreamConfig upstream) {
        this.rules = new FieldRules(upstream.headers().keySet());
        this.trailerFilter = name -> rules.of(name) == FieldRules.KEEP;
        this.hostLine = line(HttpHeaderNames.HOST, upstream.hostHeader());
        StringBuilder configured = new StringBuilder();
        for (Map.Entry<String, String> e : upstream.headers().entrySet()) {
            configured.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
        }
        this.configuredLines = new AsciiString(configured).toByteArray();
    }

    /** Which request trailer fields are forwarded: those a head would keep unchanged. */
    Predicate<CharSequence> trailerFilter() {
        return trailerFilter;
    }

    /**
     * Writes the upstream request head for {@code request} into {@code buf}, ending with the empty line, and
     * returns {@code buf}; on a failure {@code buf} is released.
     *
     * @param tenantId null when admission named no tenant (then no X-Tenant-Id is sent)
     * @param info     whether the key came from Authorization, and whether the body is chunked
     * @param requestId the request's {@code X-Request-Id} (the client's when valid, see {@link RequestIdHeader})
     */
    ByteBuf write(ByteBuf buf, HttpRequest request, String tenantId, Exchange.RequestInfo info, String peer, boolean tls,
                  String requestId) {
        try {
            ByteBufUtil.writeAscii(buf, request.method().asciiName());
            buf.writeByte(' ');
            ByteBufUtil.writeUtf8(buf, request.uri()); // origin-form, checked to be ASCII by the decoder
            buf.writeBytes(VERSION_CRLF);
            int fieldsStart = buf.writerIndex();
            Seen seen = copyFields(buf, request.headers(), info.keyInAuthorization(), null);
            if (seen.connection != null) {
                List<AsciiString> listed = rules.listedToRemove(seen.connection, info.keyInAuthorization());
                if (!listed.isEmpty()) { // rare: start over, now leaving out the listed fields too
                    buf.writerIndex(fieldsStart);
                    seen = copyFields(buf, request.headers(), info.keyInAuthorization(), listed);
                }
            }
            addFields(buf, seen, tenantId, info.chunked(), peer, tls, requestId);
            buf.writeShort(CRLF);
            return buf;
        } catch (RuntimeException | Error e) {
            buf.release();
            throw e;
        }
    }

    /** Copies the fields that pass; collects the values the proxy appends to or acts on. */
    private Seen copyFields(ByteBuf buf, HttpHeaders headers, boolean keyInAuthorization, List<AsciiString> listed) {
        Seen seen = new Seen();
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> field = it.next();
            CharSequence name = field.getKey();
            if (listed != null && FieldRules.contains(listed, name)) {
                continue;
            }
            switch (rules.of(name)) {
                case FieldRules.KEEP -> writeField(buf, name, field.getValue());
                case FieldRules.CONTENT_LENGTH -> writeField(buf, name, withoutLeadingZeros(field.getValue()));
                case FieldRules.AUTHORIZATION -> {
                    if (!keyInAuthorization) {
                        writeField(buf, name, field.getValue());
                    }
                }
                case FieldRules.CONNECTION -> seen.connection = append(seen.connection, field.getValue());
                case FieldRules.FORWARDED_FOR -> seen.forwardedFor = append(seen.forwardedFor, field.getValue());
                case FieldRules.VIA -> seen.via = append(seen.via, field.getValue());
                case FieldRules.HOST -> seen.host = seen.host == null ? field.getValue() : seen.host;
                default -> { } // DROP
            }
        }
        return seen;
    }

    private void addFields(ByteBuf buf, Seen seen, String tenantId, boolean chunked, String peer, boolean tls,
                           String requestId) {
        if (chunked) {
            buf.writeBytes(CHUNKED_LINE);
        }
        writeField(buf, ForwardingHeaders.X_REQUEST_ID, requestId);
        if (tenantId != null) {
            writeField(buf, ForwardingHeaders.X_TENANT_ID, tenantId);
        }
        if (rules.addForwardedFor) {
            writeField(buf, ForwardingHeaders.X_FORWARDED_FOR, seen.forwardedFor == null ? peer : seen.forwardedFor + ", " + peer);
        }
        if (rules.addForwardedProto) {
            buf.writeBytes(tls ? PROTO_HTTPS_LINE : PROTO_HTTP_LINE);
        }
        if (rules.addForwardedHost && seen.host != null) {
            writeField(buf, ForwardingHeaders.X_FORWARDED_HOST, seen.host);
        }
        if (rules.addVia) {
            if (seen.via == null) {
                buf.writeBytes(VIA_LINE);
            } else {
                writeField(buf, HttpHeaderNames.VIA, seen.via + ", " + ForwardingHeaders.VIA_VALUE);
            }
        }
        buf.writeBytes(hostLine);
        buf.writeBytes(configuredLines);
    }

    private static void writeField(ByteBuf buf, CharSequence name, CharSequence value) {
        ByteBufUtil.writeAscii(buf, name);
        buf.writeShort(COLON_SP);
        ByteBufUtil.writeAscii(buf, value); // ISO-8859-1 as decoded: obs-text bytes pass unchanged
        buf.writeShort(CRLF);
    }

    /**
     * A Content-Length value (digits only: the decoder checked it) without leading zeros: {@code 011} is eleven here
     * and to RFC 9110, nine to a parser that reads it as octal. Found by {@code StrictRequestDecoderPropertyTest}.
     */
    private static CharSequence withoutLeadingZeros(CharSequence digits) {
        int i = 0;
        while (i < digits.length() - 1 && digits.charAt(i) == '0') {
            i++;
        }
        return i == 0 ? digits : digits.subSequence(i, digits.length());
    }

    /** Joins the values of a repeated list field with ", " (RFC 9110 §5.3). */
    private static String append(String earlier, CharSequence value) {
        return earlier == null ? value.toString() : earlier + ", " + value;
    }

    private static byte[] line(CharSequence name, CharSequence value) {
        return new AsciiString(name + ": " + value + "\r\n").toByteArray();
    }

    /** What one walk over the client's fields found. */
    private static final class Seen {
        String connection;
        String forwardedFor;
        String via;
        CharSequence host;
    }
}
