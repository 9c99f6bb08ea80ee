package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.quotagate.gateway.admission.Decision;
import io.quotagate.gateway.admission.RateLimitState;
import io.quotagate.gateway.admission.RejectionCode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link ErrorResponses}: the single mapping from rejection to response. */
class ErrorResponsesTest {

    @ParameterizedTest
    @EnumSource(RejectionCode.class)
    void everyCodeHasItsStatusAndJsonBody(RejectionCode code) {
        FullHttpResponse response = ErrorResponses.of(ByteBufAllocator.DEFAULT, code, false);
        try {
            assertThat(response.status().code()).isEqualTo(code.status());
            assertThat(response.content().toString(StandardCharsets.UTF_8))
                    .isEqualTo("{\"error\":{\"code\":\"" + code.wire() + "\",\"message\":\"" + code.defaultMessage() + "\"}}");
            assertThat(response.headers().getInt("Content-Length")).isEqualTo(response.content().readableBytes());
            boolean closes = code.status() == 400 || code.status() == 408 || code.status() == 413 || code.status() == 414
                    || code.status() == 431 || code == RejectionCode.TOO_MANY_CONNECTIONS;
            assertThat(response.headers().get("Connection")).isEqualTo(closes ? "close" : null);
        } finally {
            response.release();
        }
    }

    @Test
    void retryAfterRateLimitAndEscaping() {
        Decision.Rejected rejected = new Decision.Rejected(RejectionCode.QPS_EXCEEDED, "too \"fast\"\n", new RateLimitState(10, 0, 1, 3), 2, "g", "t");
        FullHttpResponse response = ErrorResponses.of(ByteBufAllocator.DEFAULT, rejected, false);
        try {
            assertThat(response.headers().get("Retry-After")).isEqualTo("2");
            assertThat(response.headers().get("RateLimit")).isEqualTo("\"qps\";r=0;t=1");
            assertThat(response.headers().get("X-Calls-Remaining")).isEqualTo("3");
            assertThat(response.content().toString(StandardCharsets.UTF_8)).contains("\"message\":\"too \\\"fast\\\"\\n\"");
        } finally {
            response.release();
        }
    }

    @Test
    void decoderFailuresMapToCodes() {
        assertThat(ErrorResponses.codeFor(new TooLongHttpLineException("x"))).isEqualTo(RejectionCode.URI_TOO_LONG);
        assertThat(ErrorResponses.codeFor(new TooLongHttpHeaderException("x"))).isEqualTo(RejectionCode.HEADERS_TOO_LARGE);
        assertThat(ErrorResponses.codeFor(new IllegalArgumentException("x"))).isEqualTo(RejectionCode.BAD_REQUEST);
    }

    @Test
    void aRefusalOfOursCarriesItsReasonAsTheMessage() {
        Decision.Rejected ours = ErrorResponses.rejectionFor(RequestHeadParser.bad("dot segment in the request path"));
        assertThat(ours.code()).isEqualTo(RejectionCode.BAD_REQUEST);
        assertThat(ours.message()).isEqualTo("dot segment in the request path");
        Decision.Rejected netty = ErrorResponses.rejectionFor(new TooLongHttpLineException("line of 5000 bytes"));
        assertThat(netty.code()).isEqualTo(RejectionCode.URI_TOO_LONG);
        assertThat(netty.message()).isEqualTo(RejectionCode.URI_TOO_LONG.defaultMessage());
    }
}
