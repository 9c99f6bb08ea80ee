package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.quotagate.gateway.testkit.TestConfigs;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link RequestHeadWriter}: every rule for the upstream request head, on the exact bytes. */
class RequestHeadWriterTest {

    private final RequestHeadWriter writer = new RequestHeadWriter(TestConfigs.builder()
            .upstream(URI.create("https://api.vendor.example")).upstreamHeader("X-Cred", "c").build().upstream());

    // Names the proxy adds from Netty's HttpHeaderNames are lower case, as the encoder wrote them before.
    @Test
    void plainRequestGetsTheProxyFieldsAfterTheClientsInAFixedOrder() {
        HttpRequest request = request(HttpVersion.HTTP_1_1, "POST", "/v1/x?q=1",
                "Host", "api.example.com:8443", "Content-Type", "application/json", "Content-Length", "2");
        assertThat(write(request, "acme", false, false, "10.1.1.1", true)).isEqualTo("POST /v1/x?q=1 HTTP/1.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\n"
                + "X-Request-Id: rid-1\r\nX-Tenant-Id: acme\r\nX-Forwarded-For: 10.1.1.1\r\nX-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Host: api.example.com:8443\r\nvia: 1.1 quotagate\r\n"
                + "host: api.vendor.example\r\nX-Cred: c\r\n\r\n"); // default port omitted from Host
    }

    @Test
    void hopByHopAndGatewayOwnedFieldsAreLeftOut() {
        HttpRequest request = request(HttpVersion.HTTP_1_1, "GET", "/x", "Host", "h", "Keep-Alive", "timeout=5",
                "Proxy-Connection", "keep-alive", "TE", "trailers", "Trailer", "X-T", "Upgrade", "h2c",
                "Proxy-Authorization", "Basic eA==", "Proxy-Authenticate", "Basic", "HTTP2-Settings", "AAMA",
                "Expect", "100-continue", "x-api-key", "k", "X-Tenant-Id", "forged", "X-Forwarded-Proto", "https",
                "X-Forwarded-Host", "forged", "x-cred", "forged", "X-Kept", "kept");
        String head = write(request, "acme", false, false, "1.2.3.4", false);
        assertThat(head).startsWith("GET /x HTTP/1.1\r\nX-Kept: kept\r\nX-Request-Id: rid-1\r\nX-Tenant-Id: acme\r\n")
                .contains("X-Forwarded-Proto: http\r\n", "X-Forwarded-Host: h\r\n", "X-Cred: c\r\n")
                .doesNotContain("forged", "Keep-Alive", "Proxy-", "TE:", "Trailer", "Upgrade", "HTTP2", "Expect", "api-key");
    }

    @Test
    void forwardedForAndViaAreAppendedToTheClientsValuesOnOneLine() {
        HttpRequest request = request(HttpVersion.HTTP_1_1, "GET", "/x", "Host", "h", "X-Forwarded-For", "10.0.0.1",
                "Via", "1.0 corp", "x-forwarded-for", "10.0.0.2", "Via", "1.1 edge");
        String head = write(request, null, false, false, "::1", false);
        assertThat(head).contains("X-Forwarded-For: 10.0.0.1, 10.0.0.2, ::1\r\n", "via: 1.0 corp, 1.1 edge, 1.1 quotagate\r\n")
                .doesNotContain("X-Tenant-Id");
        assertThat(head.split("(?i)x-forwarded-for", -1)).hasSize(2);
    }

    @Test
    void authorizationIsRemovedOnlyWhenTheKeyCameFromIt() {
        HttpRequest request = request(HttpVersion.HTTP_1_1, "GET", "/x", "Host", "h", "Authorization", "Basic dXM=",
                "X-Api-Key", "k");
        assertThat(write(request, "t", false, false, "p", false)).contains("Authorization: Basic dXM=\r\n").doesNotContain("X-Api-Key");
        HttpRequest bearer = request(HttpVersion.HTTP_1_1, "GET", "/x", "Host", "h", "authorization", "Bearer k");
        assertThat(write(bearer, "t", true, false, "p", false)).doesNotContainIgnoringCase("authorization");
    }

    @Test
    void configuredAuthorizationReplacesTheClientsWhereverTheKeyCameFrom() {
        RequestHeadWriter withCredential = new RequestHeadWriter(TestConfigs.builder()
                .upstream(URI.create("http://127.0.0.1:8080")).upstreamHeader("Authorization", "Bearer up").build().upstream());
        HttpRequest request = request(HttpVersion.HTTP_1_1, "GET", "/x", "Host", "h", "Authorization", "Basic dXM=");
        assertThat(write(withCredential, request, null, false, false, "p", false)).endsWith("host: 127.0.0.1:8080\r\nAuthorization: Bearer up\r\n\r\n").doesNotContain("Basic");
    }

    @Test
    void fieldsNamedInConnectionAreLeftOutButFramingAndHostAreNot() {
        HttpRequest request = request(HttpVersion.HTTP_1_1, "POST", "/x", "X-Drop", "1", "Host", "h",
                "Content-Length", "5", "Connection", "Content-Length, Host, X-Drop", "Connection", "x-forwarded-for , Via",
                "X-Forwarded-For", "10.0.0.1", "Via", "1.0 corp", "X-Kept", "k");
        String head = write(request, "acme", false, false, "10.1.1.1", true);
        assertThat(head).isEqualTo("POST /x HTTP/1.1\r\nContent-Length: 5\r\nX-Kept: k\r\nX-Request-Id: rid-1\r\nX-Tenant-Id: acme\r\n"
                + "X-Forwarded-For: 10.1.1.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: h\r\nvia: 1.1 quotagate\r\n"
                + "host: api.vendor.example\r\nX-Cred: c\r\n\r\n");
    }

    @Test
    void authorizationNamedInConnectionIsLeftOutAndCloseDropsNothingElse() {
        HttpRequest listed = request(HttpVersion.HTTP_1_1, "GET", "/x", "Authorization", "Basic dXM=", "Host", "h",
                "Connection", "authorization");
        assertThat(write(listed, null, false, false, "p", false)).doesNotContain("Authorization", "Connection");
        HttpRequest close = request(HttpVersion.HTTP_1_1, "GET", "/x", "Host", "h", "Connection", "close", "X-Kept", "k");
        assertThat(write(close, null, false, false, "p", false)).startsWith("GET /x HTTP/1.1\r\nX-Kept: k\r\nX-Request-Id: rid-1\r\nX-Forwarded-For: p\r\n");
    }

    @Test
    void chunkedBodyIsDeclaredOnceAndHttp10BecomesHttp11() {
        HttpRequest request = request(HttpVersion.HTTP_1_0, "POST", "/x", "Transfer-Encoding", "chunked",
                "Expect", "100-continue");
        String head = write(request, null, true, true, "::1", false);
        assertThat(head).startsWith("POST /x HTTP/1.1\r\ntransfer-encoding: chunked\r\nX-Request-Id: rid-1\r\nX-Forwarded-For: ::1\r\n")
                .doesNotContain("Expect", "X-Forwarded-Host");
        assertThat(head.split("(?i)transfer-encoding", -1)).hasSize(2);
    }

    @Test
    void underscoreNamesThatFoldIntoAGatewayOwnedOrHopByHopNameAreLeftOutTheRestPass() {
        // Reaches the writer only with server.underscores_in_headers: forward (the decoder drops them by default).
        HttpRequest request = request(HttpVersion.HTTP_1_1, "GET", "/x", "Host", "h", "X_Tenant_Id", "forged",
                "x_api_key", "k", "X_Forwarded_Host", "forged", "Keep_Alive", "timeout=5", "X_Cred", "forged",
                "X_Forwarded_For", "10.9.9.9", "Proxy_Authorization", "Basic eA==", "My_Field", "kept", "X-Real_Ip", "kept");
        String head = write(request, "acme", false, false, "1.2.3.4", false);
        assertThat(head).startsWith("GET /x HTTP/1.1\r\nMy_Field: kept\r\nX-Real_Ip: kept\r\nX-Request-Id: rid-1\r\nX-Tenant-Id: acme\r\n")
                .contains("X-Forwarded-For: 1.2.3.4\r\n", "X-Cred: c\r\n")
                .doesNotContain("forged", "x_api_key", "Keep_Alive", "10.9.9.9", "Proxy_");
        assertThat(writer.trailerFilter().test("X_Tenant_Id")).isFalse();
        assertThat(writer.trailerFilter().test("My_Field")).isTrue();
    }

    @Test
    void contentLengthIsWrittenWithoutLeadingZerosInItsPlace() {
        HttpRequest request = request(HttpVersion.HTTP_1_1, "POST", "/x", "Host", "h", "content-length", "011", "X-A", "a");
        assertThat(write(request, null, false, false, "p", false)).startsWith("POST /x HTTP/1.1\r\ncontent-length: 11\r\nX-A: a\r\n");
        HttpRequest zero = request(HttpVersion.HTTP_1_1, "POST", "/x", "Host", "h", "Content-Length", "000");
        assertThat(write(zero, null, false, false, "p", false)).startsWith("POST /x HTTP/1.1\r\nContent-Length: 0\r\n");
    }

    @Test
    void obsTextInValuesPassesUnchanged() {
        HttpRequest request = request(HttpVersion.HTTP_1_1, "GET", "/x", "Host", "h", "X-Name", "caf\u00e9");
        assertThat(write(request, null, false, false, "p", false)).contains("X-Name: caf\u00e9\r\n");
    }

    private String write(HttpRequest request, String tenant, boolean keyInAuthorization, boolean chunked, String peer, boolean tls) {
        return write(writer, request, tenant, keyInAuthorization, chunked, peer, tls);
    }

    private static String write(RequestHeadWriter writer, HttpRequest request, String tenant, boolean keyInAuthorization,
                                boolean chunked, String peer, boolean tls) {
        ByteBuf buf = writer.write(UnpooledByteBufAllocator.DEFAULT.buffer(), request, tenant, info(keyInAuthorization, chunked), peer, tls,
                "rid-1");
        try {
            return buf.toString(StandardCharsets.ISO_8859_1);
        } finally {
            buf.release();
        }
    }

    private static Exchange.RequestInfo info(boolean keyInAuthorization, boolean chunked) {
        return new Exchange.RequestInfo(keyInAuthorization, true, false, false, false, chunked, chunked);
    }

    private static HttpRequest request(HttpVersion version, String method, String uri, String... nameValues) {
        HttpRequest r = new DefaultHttpRequest(version, HttpMethod.valueOf(method), uri);
        for (int i = 0; i < nameValues.length; i += 2) {
            r.headers().add(nameValues[i], nameValues[i + 1]);
        }
        return r;
    }
}
