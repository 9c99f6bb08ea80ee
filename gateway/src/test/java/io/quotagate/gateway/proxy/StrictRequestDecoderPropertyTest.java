package io.quotagate.gateway.proxy;

import static io.quotagate.gateway.proxy.DecodeAndForward.check;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.quotagate.gateway.proxy.DecodeAndForward.End;
import io.quotagate.gateway.proxy.DecodeAndForward.Forwarded;
import io.quotagate.gateway.proxy.RequestStreams.Case;
import io.quotagate.gateway.testkit.PropertyCheck;
import io.quotagate.gateway.testkit.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Property-based tests of the request decoder, run by {@link PropertyCheck}: in the build, 500 valid and 1,000
 * mutated streams (the short run); {@code -Dquotagate.properties.tries=…} sets both (the long run in
 * {@code docs/reliability.md}). Streams are built from valid requests ({@link RequestStreams}), mutated, and fed
 * in random reads. For every stream: the decoder never throws, releases every buffer it was fed, and emits a
 * well-formed message sequence ({@link DecodeAndForward}); every request it completes, forwarded as the proxy
 * forwards it, is read back by Netty's own {@link HttpRequestDecoder} as exactly one request, the same one (method,
 * target, the client's fields the proxy keeps, framing, body bytes, trailers), with a request written after it read
 * intact (no smuggling); a request whose body failed or was cut never reads back as complete. Netty's leak detector
 * (paranoid in this build) checks every buffer after the class, as for every test class.
 */
class StrictRequestDecoderPropertyTest {

    private static final RequestHeadWriter WRITER = new RequestHeadWriter(TestConfigs.builder()
            .upstream(URI.create("http://up.example:8081")).upstreamHeader("X-Cred", "c").build().upstream());
    /**
     * Fields the proxy itself writes (lower case): the client's fields of these names never pass as they are
     * (Content-Length is written as the number decoded, checked on its own).
     */
    private static final Set<String> ADDED = Set.of("transfer-encoding", "content-length", "x-tenant-id", "x-request-id",
            "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "via", "host", "x-cred");
    private static final byte[] SENTINEL = "GET /sentinel HTTP/1.1\r\nHost: s\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static final int VALID_TRIES = 500;
    private static final int MUTATED_TRIES = 1_000;

    @Test
    void validStreamsSplitAnywhereAreForwardedWholeAndReadBackTheSame() {
        PropertyCheck<Case> property = new PropertyCheck<>("valid streams", r -> RequestStreams.generate(r, false),
                Case::smaller);
        property.check(VALID_TRIES, c -> {
            DecodeAndForward run = DecodeAndForward.run(c.reads(), c.dropUnderscoreNames(), WRITER);
            check(run.failure == null, "a valid stream was refused: " + run.failure);
            check(run.forwarded.size() == c.requests().size(),
                    run.forwarded.size() + " of " + c.requests().size() + " requests forwarded");
            for (Forwarded f : run.forwarded) {
                check(f.end == End.COMPLETE, "a valid request did not complete");
                readBackTheSame(f, c.dropUnderscoreNames());
            }
        });
    }

    @Test
    void mutatedStreamsNeverCrashOrLeakAndWhatIsForwardedIsWellFramed() {
        PropertyCheck<Case> property = new PropertyCheck<>("mutated streams", r -> RequestStreams.generate(r, true),
                Case::smaller);
        property.check(MUTATED_TRIES, c -> {
            DecodeAndForward run = DecodeAndForward.run(c.reads(), c.dropUnderscoreNames(), WRITER);
            for (Forwarded f : run.forwarded) {
                if (f.end == End.COMPLETE) {
                    readBackTheSame(f, c.dropUnderscoreNames());
                } else {
                    neverReadsBackComplete(f);
                }
            }
            property.label(run.headFailed ? "head refused" : run.failure != null ? "body refused"
                    : run.forwarded.isEmpty() ? "nothing"
                    : run.forwarded.get(run.forwarded.size() - 1).end == End.CUT_MID_BODY ? "cut mid-body" : "all forwarded");
        });
    }

    private static void readBackTheSame(Forwarded f, boolean dropUnderscoreNames) {
        byte[] wire = concat(f.upstreamBytes, SENTINEL);
        List<Object> read = netty(wire);
        String where = "forwarded: " + RequestStreams.escape(f.upstreamBytes) + "\nread back: " + read;
        try {
            check(read.size() >= 4 && read.get(0) instanceof HttpRequest, "no request read back");
            HttpRequest head = (HttpRequest) read.get(0);
            check(head.decoderResult().isSuccess(), "Netty refused the forwarded head: " + head.decoderResult());
            check(head.method().equals(f.head.method()) && head.uri().equals(f.head.uri()), "method or target changed");
            checkFields(f, head.headers(), dropUnderscoreNames);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            int i = 1;
            for (; i < read.size() && !(read.get(i) instanceof LastHttpContent); i++) {
                check(read.get(i) instanceof HttpContent c && c.decoderResult().isSuccess(), "body content refused");
                append(((HttpContent) read.get(i)).content(), body);
            }
            check(i < read.size(), "the forwarded request did not end");
            LastHttpContent last = (LastHttpContent) read.get(i);
            check(last.decoderResult().isSuccess(), "Netty refused the forwarded body: " + last.decoderResult());
            append(last.content(), body);
            check(Arrays.equals(body.toByteArray(), f.body.toByteArray()), "body bytes differ");
            check(fields(last.trailingHeaders()).equals(expectedTrailers(f)), "trailers differ");
            check(read.size() == i + 3 && read.get(i + 1) instanceof HttpRequest sentinel
                    && sentinel.decoderResult().isSuccess() && sentinel.uri().equals("/sentinel")
                    && read.get(i + 2) instanceof LastHttpContent, "the request after it was not read intact");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + where, e);
        } finally {
            read.forEach(ReferenceCountUtil::release);
        }
    }

    /** The client's fields as the writer keeps them, then the proxy's own: one Host, framing re-derived. */
    private static void checkFields(Forwarded f, HttpHeaders upstream, boolean dropUnderscoreNames) {
        List<String> clientPart = new ArrayList<>();
        for (Map.Entry<String, String> e : upstream) {
            String name = e.getKey();
            check(FramingLookAlikes.of(name.getBytes(StandardCharsets.ISO_8859_1), 0, name.length()) == null,
                    "a framing look-alike was forwarded: " + name);
            check(!dropUnderscoreNames || name.indexOf('_') < 0, "a name with '_' was forwarded: " + name);
            if (!ADDED.contains(name.toLowerCase(Locale.ROOT))) {
                clientPart.add(name + ": " + e.getValue());
            }
        }
        check(clientPart.equals(expectedClientFields(f)), "client fields differ: " + clientPart + " vs " + expectedClientFields(f));
        check(upstream.getAll(HttpHeaderNames.HOST).equals(List.of("up.example:8081")), "Host is not the upstream's alone");
        check(upstream.getAll("X-Tenant-Id").equals(List.of("acme")), "X-Tenant-Id is not the gateway's alone");
        check(upstream.getAll("X-Request-Id").equals(List.of(DecodeAndForward.REQUEST_ID)), "X-Request-Id is not the gateway's alone");
        if (f.chunked) {
            check(upstream.getAll(HttpHeaderNames.TRANSFER_ENCODING).equals(List.of("chunked"))
                    && !upstream.contains(HttpHeaderNames.CONTENT_LENGTH), "chunked framing not forwarded as is");
        } else {
            check(!upstream.contains(HttpHeaderNames.TRANSFER_ENCODING), "Transfer-Encoding on a body that was not chunked");
            String length = f.head.headers().get(HttpHeaderNames.CONTENT_LENGTH);
            check(length == null ? !upstream.contains(HttpHeaderNames.CONTENT_LENGTH) && f.body.size() == 0
                    : upstream.getAll(HttpHeaderNames.CONTENT_LENGTH).equals(List.of(String.valueOf(f.body.size()))),
                    "Content-Length does not frame the body decoded");
        }
    }

    /**
     * The client's fields, in order, that pass: those the writer keeps as they are (its trailer filter is that rule),
     * Authorization unless the key came from it, less the fields Connection names (never Content-Length).
     */
    private static List<String> expectedClientFields(Forwarded f) {
        List<String> listed = new ArrayList<>();
        for (String connection : f.head.headers().getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : connection.split(",")) {
                listed.add(token.trim().toLowerCase(Locale.ROOT));
            }
        }
        listed.remove("content-length");
        List<String> expected = new ArrayList<>();
        for (Map.Entry<String, String> e : f.head.headers()) {
            String name = e.getKey();
            boolean kept = WRITER.trailerFilter().test(name)
                    || name.equalsIgnoreCase("authorization") && !f.keyInAuthorization;
            if (kept && !listed.contains(name.toLowerCase(Locale.ROOT))) {
                expected.add(name + ": " + e.getValue());
            }
        }
        return expected;
    }

    private static List<String> expectedTrailers(Forwarded f) {
        List<String> expected = new ArrayList<>();
        if (f.chunked && f.trailers != null) {
            for (Map.Entry<String, String> e : f.trailers) {
                if (WRITER.trailerFilter().test(e.getKey())) {
                    expected.add(e.getKey() + ": " + e.getValue());
                }
            }
        }
        return expected;
    }

    /** A request cut or failed mid-body has gone upstream without its end: Netty must not see a complete request. */
    private static void neverReadsBackComplete(Forwarded f) {
        List<Object> read = netty(f.upstreamBytes);
        try {
            check(read.stream().noneMatch(m -> m instanceof LastHttpContent last && last.decoderResult().isSuccess()),
                    "an unfinished request reads back as complete: " + RequestStreams.escape(f.upstreamBytes));
        } finally {
            read.forEach(ReferenceCountUtil::release);
        }
    }

    /** What Netty's strict request decoder makes of {@code wire}, in one read (no close: a close would end a body). */
    private static List<Object> netty(byte[] wire) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(16384).setMaxHeaderSize(16384).setStrictLineParsing(true)));
        channel.writeInbound(Unpooled.wrappedBuffer(wire));
        List<Object> read = new ArrayList<>();
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            read.add(msg);
        }
        channel.releaseInbound();
        channel.close();
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            ReferenceCountUtil.release(msg); // what the close produced (a premature end): not part of the answer
        }
        return read;
    }

    private static List<String> fields(HttpHeaders headers) {
        List<String> out = new ArrayList<>();
        headers.forEach(e -> out.add(e.getKey() + ": " + e.getValue()));
        return out;
    }

    private static void append(ByteBuf from, ByteArrayOutputStream to) {
        byte[] bytes = new byte[from.readableBytes()];
        from.getBytes(from.readerIndex(), bytes);
        to.writeBytes(bytes);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
