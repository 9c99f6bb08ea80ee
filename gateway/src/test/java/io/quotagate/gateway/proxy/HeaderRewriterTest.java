package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.quotagate.gateway.admission.RateLimitState;
import io.quotagate.gateway.testkit.TestConfigs;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** {@link HeaderRewriter}: the parts end-to-end tests cannot easily reach. */
class HeaderRewriterTest {

    private final HeaderRewriter rewriter = new HeaderRewriter(
            TestConfigs.builder().upstream(URI.create("https://api.vendor.example")).upstreamHeader("X-Cred", "c").build().upstream());

    @Test
    void framingHeadersCannotBeRemovedThroughConnection() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/x");
        request.headers().add("Host", "h").add("Content-Length", "5").add("Connection", "Content-Length, Host, X-Drop")
                .add("X-Drop", "1");
        rewriter.request(request, "acme", false, "10.1.1.1", true);
        assertThat(request.headers().get("Content-Length")).isEqualTo("5");
        assertThat(request.headers().get("Host")).isEqualTo("api.vendor.example"); // default port omitted
        assertThat(request.headers().get("X-Drop")).isNull();
        assertThat(request.headers().get("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(request.headers().get("X-Cred")).isEqualTo("c");
    }

    @Test
    void chunkedRequestStaysChunkedAndHttp10BecomesHttp11() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.POST, "/x");
        request.headers().add("Transfer-Encoding", "chunked").add("Expect", "100-continue");
        rewriter.request(request, null, true, "::1", false);
        assertThat(request.headers().getAll("Transfer-Encoding")).containsExactly("chunked");
        assertThat(request.headers().get("Expect")).isNull();
        assertThat(request.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(request.headers().get("X-Forwarded-For")).isEqualTo("::1");
    }

    @Test
    void responseWithoutLengthIsChunkedForHttp11AndCloseDelimitedForHttp10() {
        HttpResponse forHttp11 = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        assertThat(rewriter.response(forHttp11, null, false, false, false)).isFalse();
        assertThat(forHttp11.headers().get("Transfer-Encoding")).isEqualTo("chunked");

        HttpResponse forHttp10 = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        assertThat(rewriter.response(forHttp10, null, true, false, false)).isTrue();
        assertThat(forHttp10.headers().get("Transfer-Encoding")).isNull();
        assertThat(forHttp10.headers().get("Connection")).isEqualTo("close");

        HttpResponse noContent = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        assertThat(rewriter.response(noContent, new RateLimitState(5, 4, 0, -1), true, true, false)).isFalse();
        assertThat(noContent.headers().get("Connection")).isEqualTo("keep-alive");
        assertThat(noContent.headers().get("RateLimit-Policy")).isEqualTo("\"qps\";q=5;w=1");
    }
}
