package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.quotagate.gateway.admission.RateLimitState;
import org.junit.jupiter.api.Test;

/** {@link HeaderRewriter}: the parts end-to-end tests cannot easily reach (request heads: {@link RequestHeadWriterTest}). */
class HeaderRewriterTest {

    private final HeaderRewriter rewriter = new HeaderRewriter();

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
