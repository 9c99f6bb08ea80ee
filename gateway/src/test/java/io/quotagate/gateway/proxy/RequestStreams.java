package io.quotagate.gateway.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Generated request streams for {@link StrictRequestDecoderPropertyTest}: valid HTTP/1.x requests (pipelined, with
 * Content-Length or chunked bodies, extensions and trailers, awkward but legal fields), then the same bytes mutated
 * (bit flips, inserted CR/LF/SP/colon/underscore/NUL…, deletions, duplicated runs, an early end), then split where
 * reads would end. A {@link Case} shrinks by dropping requests, mutations and splits.
 */
final class RequestStreams {

    /** Fields a request may carry, legal ones, including those the proxy drops, rewrites or refuses. */
    private static final String[] FIELDS = {
        "Accept: */*", "User-Agent: t/1.0", "X-A: a", "X-Tab: a\tb", "X-Empty:", "X-Obs: caf\u00e9", "X-Spaces:  v  ",
        "Connection: keep-alive", "Connection: close", "Cookie: a=b; c=d", "X_Under: 1", "X_Tenant_Id: forged",
        "Authorization: Bearer qg_t.k", "Authorization: Basic dXM=", "X-Api-Key: k", "Expect: 100-continue",
        "X-Forwarded-For: 10.0.0.1", "Via: 1.0 a", "Keep-Alive: timeout=5", "Trailer: X-Sum", "Content-Type: text/plain",
        "X-Tenant-Id: forged", "TE: trailers",
    };
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "PURGE"};
    private static final String[] QUERIES = {"", "", "?q=1", "?a=%20&b=../c", "?x=y%2F"};
    private static final String[] HOSTS = {"Host: h", "Host: h:80", "host: [::1]:8080", "HOST: a.b-c_d"};
    private static final String[] EXTENSIONS = {"", "", ";e", ";e=1", ";q=\"x y\"", " ;e=v"};
    private static final String[] TRAILERS = {"X-Sum: 1", "X_T: 2", "Content-Length: 3", "Via: x", "X-Api-Key: leak", "x-b: b"};
    /** Bytes a mutation inserts: the ones framing and field syntax hinge on, and a few others. */
    private static final byte[] INSERTS = {'\r', '\n', ' ', ':', '\t', '_', '-', ',', ';', '0', 'a', 0, (byte) 0x80, '"'};
    private static final String SEGMENT_CHARS = "abz09-._~";
    private static final String BODY_CHARS = "ab\r\n0;: ";

    enum Kind { FLIP, INSERT, DELETE, DUPLICATE, TRUNCATE }

    /** One change to a stream: where ({@code at} × length), and a parameter whose meaning depends on the kind. */
    record Mutation(Kind kind, double at, int value) {
    }

    /** Valid requests, the mutations applied to their concatenation, where reads end, the underscore switch. */
    record Case(List<byte[]> requests, List<Mutation> mutations, List<Double> splits, boolean dropUnderscoreNames) {

        byte[] valid() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            requests.forEach(out::writeBytes);
            return out.toByteArray();
        }

        /** The reads the decoder gets: the mutated stream, cut at the splits. */
        List<byte[]> reads() {
            return split(mutate(valid(), mutations), splits);
        }

        /** One part fewer (a request, a mutation, a split), or the switch in its default position. */
        Stream<Case> smaller() {
            Stream.Builder<Case> out = Stream.builder();
            for (int i = 0; i < requests.size() && requests.size() > 1; i++) {
                out.add(new Case(without(requests, i), mutations, splits, dropUnderscoreNames));
            }
            for (int i = 0; i < mutations.size(); i++) {
                out.add(new Case(requests, without(mutations, i), splits, dropUnderscoreNames));
            }
            for (int i = 0; i < splits.size(); i++) {
                out.add(new Case(requests, mutations, without(splits, i), dropUnderscoreNames));
            }
            if (!dropUnderscoreNames) {
                out.add(new Case(requests, mutations, splits, true));
            }
            return out.build();
        }

        @Override
        public String toString() {
            return "valid stream: " + escape(valid()) + "\nmutations: " + mutations + "\nsplits: " + splits
                    + "\ndrop underscore names: " + dropUnderscoreNames + "\nmutated: " + escape(mutate(valid(), mutations));
        }
    }

    private RequestStreams() {
    }

    /** One to three valid requests; no mutation when {@code mutate} is false, else zero to three. */
    static Case generate(SplittableRandom r, boolean mutate) {
        List<byte[]> requests = new ArrayList<>();
        for (int n = 1 + r.nextInt(3); n > 0; n--) {
            requests.add(request(r));
        }
        List<Mutation> mutations = new ArrayList<>();
        for (int n = mutate ? r.nextInt(4) : 0; n > 0; n--) {
            mutations.add(new Mutation(Kind.values()[r.nextInt(Kind.values().length)], r.nextDouble(), r.nextInt(256)));
        }
        List<Double> splits = new ArrayList<>();
        for (int n = r.nextInt(5); n > 0; n--) {
            splits.add(r.nextDouble());
        }
        return new Case(requests, mutations, splits, r.nextBoolean());
    }

    static byte[] mutate(byte[] wire, List<Mutation> mutations) {
        byte[] b = wire;
        for (Mutation m : mutations) {
            int at = (int) (m.at() * b.length);
            switch (m.kind()) {
                case FLIP -> {
                    if (at < b.length) {
                        b = b.clone();
                        b[at] ^= (byte) (1 << (m.value() & 7));
                    }
                }
                case INSERT -> b = splice(b, at, 0, new byte[] {INSERTS[m.value() % INSERTS.length]});
                case DELETE -> b = at < b.length ? splice(b, at, 1, new byte[0]) : b;
                case DUPLICATE -> {
                    int len = Math.min(1 + m.value() % 8, b.length - at);
                    b = splice(b, at, 0, Arrays.copyOfRange(b, at, at + len));
                }
                case TRUNCATE -> b = Arrays.copyOf(b, at); // the client goes away there
            }
        }
        return b;
    }

    /** The stream cut at the given fractions of its length (duplicate cuts would give empty reads: skipped). */
    static List<byte[]> split(byte[] wire, List<Double> splits) {
        List<Integer> cuts = new ArrayList<>();
        splits.forEach(f -> cuts.add((int) (f * wire.length)));
        cuts.add(wire.length);
        cuts.sort(null);
        List<byte[]> reads = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            if (cut > from) {
                reads.add(Arrays.copyOfRange(wire, from, cut));
                from = cut;
            }
        }
        return reads;
    }

    /** The bytes as a Java string literal would show them (CR, LF, controls and non-ASCII escaped). */
    static String escape(byte[] b) {
        StringBuilder s = new StringBuilder(b.length + 16);
        for (byte x : b) {
            int c = x & 0xff;
            switch (c) {
                case '\r' -> s.append("\\r");
                case '\n' -> s.append("\\n");
                case '\t' -> s.append("\\t");
                case '\\' -> s.append("\\\\");
                default -> s.append(c < 0x20 || c >= 0x7f ? String.format("\\u%04x", c) : String.valueOf((char) c));
            }
        }
        return s.toString();
    }

    /** A valid request: legal on its own and accepted by the decoder. */
    private static byte[] request(SplittableRandom r) {
        boolean http10 = r.nextInt(3) == 0;
        StringBuilder s = new StringBuilder();
        if (r.nextInt(4) == 0) {
            s.append("\r\n"); // empty lines before a request line are legal
        }
        s.append(pick(r, METHODS)).append(' ').append(path(r)).append(pick(r, QUERIES))
                .append(http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
        if (!http10 || r.nextBoolean()) { // HTTP/1.1 requires Host
            s.append(pick(r, HOSTS)).append("\r\n");
        }
        for (int n = r.nextInt(6); n > 0; n--) {
            s.append(pick(r, FIELDS)).append("\r\n");
        }
        String body = text(r, BODY_CHARS, 0, 24);
        int framing = r.nextInt(3);
        if (framing == 2 && http10) {
            framing = 1; // Transfer-Encoding on HTTP/1.0 is refused
        }
        switch (framing) {
            case 0 -> s.append("\r\n");
            case 1 -> s.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
            default -> chunked(r, s, body);
        }
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void chunked(SplittableRandom r, StringBuilder s, String body) {
        s.append("Transfer-Encoding: chunked\r\n\r\n");
        String extension = pick(r, EXTENSIONS);
        int from = 0;
        while (from < body.length()) { // no empty chunk before the last: it would end the body
            int to = from + 1 + r.nextInt(body.length() - from);
            s.append(Integer.toHexString(to - from)).append(extension).append("\r\n").append(body, from, to).append("\r\n");
            from = to;
        }
        s.append("0\r\n");
        for (int n = r.nextInt(3); n > 0; n--) {
            s.append(pick(r, TRAILERS)).append("\r\n");
        }
        s.append("\r\n");
    }

    /** {@code /} and up to three segments, never {@code .} or {@code ..} (dot segments are refused). */
    private static String path(SplittableRandom r) {
        StringBuilder path = new StringBuilder("/");
        for (int n = r.nextInt(4); n > 0; n--) {
            String segment = text(r, SEGMENT_CHARS, 1, 5);
            if (!segment.equals(".") && !segment.equals("..")) {
                path.append(path.length() > 1 ? "/" : "").append(segment);
            }
        }
        return path.toString();
    }

    private static String text(SplittableRandom r, String chars, int min, int max) {
        StringBuilder s = new StringBuilder();
        for (int n = min + r.nextInt(max - min + 1); n > 0; n--) {
            s.append(chars.charAt(r.nextInt(chars.length())));
        }
        return s.toString();
    }

    private static String pick(SplittableRandom r, String[] options) {
        return options[r.nextInt(options.length)];
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    private static <E> List<E> without(List<E> list, int index) {
        List<E> copy = new ArrayList<>(list);
        copy.remove(index);
        return copy;
    }
}
