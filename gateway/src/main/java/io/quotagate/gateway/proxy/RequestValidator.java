package io.quotagate.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * The request smuggling defences (RFC 9112) that Netty's strict decoder does not make but a proxy must: applied
 * to each decoded head by {@link StrictRequestDecoder}. Netty 4.2 with strict line parsing and RFC 9112
 * Transfer-Encoding handling already fails: Content-Length with Transfer-Encoding, invalid or repeated
 * Content-Length, a last transfer coding other than chunked, Transfer-Encoding on HTTP/1.0, whitespace before
 * a colon, control characters in names and values, bare LF line ends; the decoder adds obs-fold. These rules
 * add: a missing (HTTP/1.1) or repeated Host, a Host that is not a plain authority, a request target that is not
 * origin-form printable ASCII, and any transfer coding besides a single {@code chunked} (we could not forward it
 * faithfully).
 */
final class RequestValidator {

    private RequestValidator() {
    }

    /** Why the request must be refused, or null. */
    static String problemOf(HttpRequest request) {
        HttpHeaders headers = request.headers();
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return "more than one Host header";
        }
        if (hosts.isEmpty()) {
            if (request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
                return "missing Host header";
            }
        } else if (!isAuthority(hosts.get(0))) {
            return "invalid Host header";
        }
        if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
                return "both Content-Length and Transfer-Encoding";
            }
            List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
            if (codings.size() != 1 || !"chunked".equalsIgnoreCase(codings.get(0).trim())) {
                return "unsupported Transfer-Encoding (only a single chunked coding is accepted)";
            }
        }
        return isOriginForm(request.uri()) ? null : "request target must be origin-form (/path?query)";
    }

    /** host[:port] with reg-name, IPv4 or [IPv6] characters only: no whitespace, commas, slashes or '@'. */
    static boolean isAuthority(String host) {
        if (host.isEmpty()) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_' || c == '~' || c == '%';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Starts with '/', visible ASCII only, no fragment. */
    static boolean isOriginForm(String uri) {
        if (uri.isEmpty() || uri.charAt(0) != '/') {
            return false;
        }
        for (int i = 1; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '#') {
                return false;
            }
        }
        return true;
    }
}
