package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
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
}
