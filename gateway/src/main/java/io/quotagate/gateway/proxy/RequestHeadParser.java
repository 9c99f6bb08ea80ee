package io.quotagate.gateway.proxy;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.quotagate.gateway.admission.RejectionCode;
import java.nio.charset.StandardCharsets;

/**
 * Parses one complete client request head, already copied into a byte array, into a {@link DefaultHttpRequest}
 * in one pass; used by {@link StrictRequestDecoder} (first handler of the client pipeline). Every rule of RFC 9112
 * the proxy relies on against request smuggling is checked here on the bytes, so the headers map is built
 * without validation: request line {@code token SP origin-form SP HTTP/1.0|1.1 CRLF}; field lines with a token
 * name, the colon right after it, no control characters in the value, CRLF only (a bare LF or CR is refused),
 * no obs-fold; Content-Length digits only and at most once; Transfer-Encoding only as one {@code chunked}, never
 * with Content-Length, never on HTTP/1.0; exactly one Host on HTTP/1.1 (at most one on 1.0), a plain authority.
 * The target's path must also pass {@link PathCheck} (no dot segments, encoded slashes, backslashes or NULs).
 * A name that only looks like Content-Length or Transfer-Encoding ({@link FramingLookAlikes}) is refused; a name
 * with an underscore is left out of the headers when {@code server.underscores_in_headers} is {@code drop}.
 * A refusal throws {@link RejectedRequestException} (400). Not thread-safe: one per decoder, reused.
 */
final class RequestHeadParser {

    /** How the body of the parsed request is framed. */
    enum Framing { NONE, LENGTH, CHUNKED }

    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final byte[] HOST = bytes("host");
    private static final byte[] CONTENT_LENGTH = bytes("content-length");
    private static final byte[] TRANSFER_ENCODING = bytes("transfer-encoding");
    private static final byte[] CHUNKED = bytes("chunked");
    private static final byte[] HTTP_1 = bytes("HTTP/1.");
    /** The bytes a Host value may hold (a table: one load per byte instead of a chain of compares). */
    private static final boolean[] AUTHORITY = new boolean[256];
    /** Names most requests carry, exact case as sent (names are forwarded as received): no copy for them. */
    private static final AsciiString[] COMMON = {
        AsciiString.cached("Host"), AsciiString.cached("Accept"), AsciiString.cached("User-Agent"),
        AsciiString.cached("Connection"), AsciiString.cached("Content-Type"), AsciiString.cached("Content-Length"),
        AsciiString.cached("Authorization"), AsciiString.cached("X-Api-Key"), AsciiString.cached("Accept-Encoding"),
        AsciiString.cached("Transfer-Encoding"), AsciiString.cached("host"), AsciiString.cached("accept"),
        AsciiString.cached("user-agent"), AsciiString.cached("content-type"), AsciiString.cached("content-length"),
        AsciiString.cached("x-api-key"), AsciiString.cached("authorization"),
    };

    static {
        for (int c = 0; c < 128; c++) {
            AUTHORITY[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || ".-:[]_~%".indexOf(c) >= 0;
        }
    }

    /** Leave out fields whose names contain '_' (nginx's default): some upstreams read '_' as '-'. */
    private final boolean dropUnderscoreNames;
    private byte[] b;
    /** The method once the request line parsed (a failed head still reports it: a HEAD's 400 has no body). */
    HttpMethod method;
    Framing framing;
    long contentLength;
    /** Where the request line's method ends and its target ends (each at a SP). */
    private int methodEnd;
    private int uriEnd;
    // The field line last parsed by field(): name [ls, colon), value [vs, ve).
    private int colon;
    private int vs;
    private int ve;
    /** Whether the name of the field line last parsed contains '_'. */
    private boolean underscore;

    RequestHeadParser(boolean dropUnderscoreNames) {
        this.dropUnderscoreNames = dropUnderscoreNames;
    }

    /**
     * Parses {@code head[0, length)}: a request line, field lines and the empty line, with no leading empty lines.
     * Sets {@link #framing} and {@link #contentLength}.
     */
    DefaultHttpRequest parse(byte[] head, int length) {
        this.b = head;
        method = null;
        framing = Framing.NONE;
        contentLength = -1;
        int p = requestLine(length);
        HttpVersion version = b[p - 3] == '1' ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        String uri = new String(b, methodEnd + 1, uriEnd - methodEnd - 1, StandardCharsets.ISO_8859_1);
        HttpHeaders headers = HEADERS.newHeaders();
        int hosts = 0;
        boolean transferEncoding = false;
        while (b[p] != '\r' || b[p + 1] != '\n') {
            int ls = p;
            p = field(ls);
            int len = colon - ls;
            if (!underscore || !dropUnderscoreNames) {
                headers.add(name(ls, colon), new String(b, vs, ve - vs, StandardCharsets.ISO_8859_1));
            }
            if (len == HOST.length && equalsLowerCase(ls, HOST)) {
                if (++hosts > 1) {
                    throw bad("more than one Host header");
                }
                if (!isAuthority(vs, ve)) {
                    throw bad("invalid Host header");
                }
            } else if (len == CONTENT_LENGTH.length && equalsLowerCase(ls, CONTENT_LENGTH)) {
                contentLength(vs, ve);
            } else if (len == TRANSFER_ENCODING.length && equalsLowerCase(ls, TRANSFER_ENCODING)) {
                if (transferEncoding || ve - vs != CHUNKED.length || !equalsLowerCase(vs, CHUNKED)) {
                    throw bad("unsupported Transfer-Encoding (only a single chunked coding is accepted)");
                }
                transferEncoding = true;
            } else {
                refuseLookAlike(ls);
            }
        }
        if (hosts == 0 && version == HttpVersion.HTTP_1_1) {
            throw bad("missing Host header");
        }
        if (transferEncoding) {
            if (contentLength >= 0) {
                throw bad("both Content-Length and Transfer-Encoding");
            }
            if (version == HttpVersion.HTTP_1_0) {
                throw bad("Transfer-Encoding on HTTP/1.0");
            }
            framing = Framing.CHUNKED;
        } else if (contentLength >= 0) {
            framing = Framing.LENGTH;
        }
        return new DefaultHttpRequest(version, method, uri, headers);
    }

    /** {@code token SP origin-form SP HTTP/1.x CRLF}, the path passing {@link PathCheck}; returns the index after. */
    private int requestLine(int length) {
        int p = 0;
        while (ResponseFields.isTchar(b[p])) {
            p++;
        }
        if (p == 0 || b[p] != ' ') {
            throw bad("malformed request line (method)");
        }
        methodEnd = p;
        method = method(p);
        if (method == HttpMethod.CONNECT) {
            throw bad("CONNECT is not supported (the proxy opens no tunnels)"); // even with an origin-form target
        }
        p++;
        if (b[p] != '/') {
            throw bad("request target must be origin-form (/path?query)");
        }
        // Printable ASCII only: no whitespace, controls, DEL, non-ASCII; no fragment.
        while (b[p] > 0x20 && b[p] < 0x7f && b[p] != '#') {
            p++;
        }
        if (b[p] != ' ') {
            throw bad(b[p] == '\r' || b[p] == '\n' ? "malformed request line (no version)"
                    : "request target must be origin-form (/path?query)");
        }
        uriEnd = p;
        p++;
        if (length - p < HTTP_1.length + 3 || !regionEquals(p, HTTP_1)
                || (b[p + 7] != '0' && b[p + 7] != '1') || b[p + 8] != '\r' || b[p + 9] != '\n') {
            throw bad("malformed request line (version must be HTTP/1.0 or HTTP/1.1)");
        }
        String pathProblem = PathCheck.problem(b, methodEnd + 1, uriEnd);
        if (pathProblem != null) {
            throw bad(pathProblem);
        }
        return p + 10;
    }

    /**
     * Checks the field line starting at {@code ls} and ending with CRLF; sets {@link #colon}, {@link #vs} and
     * {@link #ve} (the value without surrounding whitespace). Returns the index after the CRLF. The array must
     * end with a line feed (a CTL), so the scans stop inside it. Also used for trailer lines.
     */
    int field(byte[] line, int ls) {
        this.b = line;
        return field(ls);
    }

    private int field(int ls) {
        int p = ls;
        if (ResponseFields.isWhitespace(b[p])) {
            throw bad("obs-fold (folded header line) is not allowed");
        }
        boolean underscoreSeen = false;
        while (ResponseFields.isTchar(b[p])) {
            underscoreSeen |= b[p] == '_';
            p++;
        }
        underscore = underscoreSeen;
        if (b[p] != ':') {
            throw bad(ResponseFields.isWhitespace(b[p]) ? "whitespace before colon"
                    : b[p] == '\n' || b[p] == '\r' ? "header line without colon" : "invalid header name");
        }
        if (p == ls) {
            throw bad("empty header name");
        }
        colon = p++;
        while (ResponseFields.isWhitespace(b[p])) {
            p++;
        }
        vs = p;
        while (!ResponseFields.isCtl(b[p])) {
            p++;
        }
        if (b[p] != '\r' || b[p + 1] != '\n') {
            throw bad(b[p] == '\n' ? "bare LF line end" : "control character in header value");
        }
        int end = p;
        while (end > vs && ResponseFields.isWhitespace(b[end - 1])) {
            end--;
        }
        ve = end;
        return p + 2;
    }

    /**
     * Whether a trailer field, just checked by {@link #field(byte[], int)}, is kept: false for a name with an
     * underscore when those are dropped; a framing look-alike is refused, as in a head.
     */
    boolean keepTrailer(int ls) {
        int len = colon - ls;
        boolean framing = len == CONTENT_LENGTH.length && equalsLowerCase(ls, CONTENT_LENGTH)
                || len == TRANSFER_ENCODING.length && equalsLowerCase(ls, TRANSFER_ENCODING);
        if (!framing) {
            refuseLookAlike(ls);
        }
        return !underscore || !dropUnderscoreNames;
    }

    private void refuseLookAlike(int ls) {
        String framing = FramingLookAlikes.of(b, ls, colon);
        if (framing != null) {
            throw bad("header name that looks like " + framing + " (only the exact name is accepted)");
        }
    }

    /** The name of the field line last checked, as received. */
    AsciiString lastName(int ls) {
        return name(ls, colon);
    }

    /** The value of the field line last checked, trimmed. */
    String lastValue() {
        return new String(b, vs, ve - vs, StandardCharsets.ISO_8859_1);
    }

    private AsciiString name(int start, int end) {
        int len = end - start;
        for (AsciiString common : COMMON) {
            if (common.length() == len && regionEquals(start, common)) {
                return common;
            }
        }
        return new AsciiString(b, start, len, true);
    }

    private HttpMethod method(int end) {
        // The common methods without a String; HttpMethod.valueOf returns the same constants for the rest.
        return switch (end) {
            case 3 -> b[0] == 'G' && b[1] == 'E' && b[2] == 'T' ? HttpMethod.GET
                    : b[0] == 'P' && b[1] == 'U' && b[2] == 'T' ? HttpMethod.PUT : other(end);
            case 4 -> b[0] == 'P' && b[1] == 'O' && b[2] == 'S' && b[3] == 'T' ? HttpMethod.POST
                    : b[0] == 'H' && b[1] == 'E' && b[2] == 'A' && b[3] == 'D' ? HttpMethod.HEAD : other(end);
            default -> other(end);
        };
    }

    private HttpMethod other(int end) {
        return HttpMethod.valueOf(new String(b, 0, end, StandardCharsets.US_ASCII));
    }

    private void contentLength(int start, int end) {
        if (contentLength >= 0) {
            throw bad("more than one Content-Length");
        }
        if (start == end || end - start > 18) {
            throw bad("invalid Content-Length");
        }
        long value = 0;
        for (int i = start; i < end; i++) {
            if (b[i] < '0' || b[i] > '9') {
                throw bad("invalid Content-Length");
            }
            value = value * 10 + (b[i] - '0');
        }
        contentLength = value;
    }

    /** host[:port] with reg-name, IPv4 or [IPv6] characters only: no whitespace, commas, slashes or '@'. */
    private boolean isAuthority(int start, int end) {
        if (start == end) {
            return false;
        }
        for (int i = start; i < end; i++) {
            if (!AUTHORITY[b[i] & 0xFF]) {
                return false;
            }
        }
        return true;
    }

    private boolean equalsLowerCase(int start, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            byte c = b[start + i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean regionEquals(int start, byte[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if (b[start + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean regionEquals(int start, AsciiString expected) {
        for (int i = 0; i < expected.length(); i++) {
            if (b[start + i] != expected.byteAt(i)) {
                return false;
            }
        }
        return true;
    }

    static RejectedRequestException bad(String reason) {
        return new RejectedRequestException(RejectionCode.BAD_REQUEST, reason);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
