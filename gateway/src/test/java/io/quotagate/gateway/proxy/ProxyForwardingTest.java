package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.admission.AdmissionRequest;
import io.quotagate.gateway.admission.RateLimitState;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.route.RouteTable;
import io.quotagate.gateway.testkit.GatewayFixture;
import io.quotagate.gateway.testkit.RawHttpClient;
import io.quotagate.gateway.testkit.RawHttpClient.RawResponse;
import io.quotagate.gateway.testkit.RecordingAdmission;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RecordingUpstream.RecordedRequest;
import io.quotagate.gateway.testkit.TestConfigs;
import io.quotagate.gateway.testkit.UpstreamReply;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** End-to-end forwarding through a real gateway to a recording upstream: heads, keep-alive, pipelining. */
class ProxyForwardingTest {

    private RecordingUpstream upstream;
    private GatewayFixture gateway;
    private RecordingAdmission admission;

    @BeforeEach
    void start() {
        upstream = RecordingUpstream.start();
        GatewayConfig config = TestConfigs.builder().upstream(upstream.url())
                .upstreamHeader("Authorization", "Bearer upstream-secret")
                .upstreamHeader("X-Upstream-Account", "quotagate").build();
        admission = new RecordingAdmission(RouteTable.of(config));
        gateway = GatewayFixture.start(config, admission);
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void forwardsARequestAndItsResponse() {
        upstream.respondWith(UpstreamReply.ok("{\"task_id\":\"t-1\",\"status\":\"queued\"}").header("X-Upstream", "yes"));
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /v1/portrait/generate?x=1 HTTP/1.1\r\nHost: api.example.com\r\nX-Api-Key: k-123\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"prompt\":1}\n");
            RawResponse response = client.readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("{\"task_id\":\"t-1\",\"status\":\"queued\"}");
            assertThat(response.header("X-Upstream")).isEqualTo("yes");
        }
        RecordedRequest seen = upstream.awaitRequest();
        assertThat(seen.method()).isEqualTo("POST");
        assertThat(seen.uri()).isEqualTo("/v1/portrait/generate?x=1");
        assertThat(seen.bodyText()).isEqualTo("{\"prompt\":1}\n");
        assertThat(admission.admitCalls()).containsExactly(new AdmissionRequest("POST", "/v1/portrait/generate", "k-123"));
    }

    @Test
    void rewritesRequestHeaders() {
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/h HTTP/1.1\r\nHost: api.example.com:8443\r\n"
                    + "Authorization: Bearer client-key\r\nX-Api-Key: other\r\nX-Tenant-Id: forged\r\n"
                    + "X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: forged\r\n"
                    + "Via: 1.0 corp-proxy\r\nX-Upstream-Account: forged\r\n"
                    + "Connection: keep-alive, X-Secret-Hop\r\nX-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\n"
                    + "Proxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-T\r\nProxy-Authorization: Basic eA==\r\n"
                    + "X-Kept: kept\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        RecordedRequest seen = upstream.awaitRequest();
        assertThat(seen.header("Host")).isEqualTo("127.0.0.1:" + upstream.port());
        assertThat(seen.headerValues("Authorization")).containsExactly("Bearer upstream-secret");
        assertThat(seen.header("X-Api-Key")).isNull();
        assertThat(seen.headerValues("X-Tenant-Id")).containsExactly("acme");
        assertThat(seen.headerValues("X-Forwarded-For")).containsExactly("10.0.0.1, 127.0.0.1");
        assertThat(seen.headerValues("X-Forwarded-Proto")).containsExactly("http");
        assertThat(seen.headerValues("X-Forwarded-Host")).containsExactly("api.example.com:8443");
        assertThat(seen.headerValues("Via")).containsExactly("1.0 corp-proxy, 1.1 quotagate");
        assertThat(seen.headerValues("X-Upstream-Account")).containsExactly("quotagate");
        assertThat(seen.header("X-Kept")).isEqualTo("kept");
        for (String hop : List.of("X-Secret-Hop", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Proxy-Authorization")) {
            assertThat(seen.header(hop)).as(hop).isNull();
        }
    }

    @Test
    void keyFromXApiKeyLeavesANonBearerAuthorizationAloneButConfigReplacesIt() {
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\nX-Api-Key: k-9\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        assertThat(admission.admitCalls().get(0).apiKey()).isEqualTo("k-9");
        assertThat(upstream.awaitRequest().header("X-Api-Key")).isNull();
    }

    @Test
    void absentKeyIsPassedAsNullAndNoTenantHeaderIsInvented() {
        admission.tenant(null);
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\nX-Tenant-Id: forged\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        assertThat(admission.admitCalls().get(0).apiKey()).isNull();
        assertThat(upstream.awaitRequest().header("X-Tenant-Id")).isNull();
    }

    @Test
    void rewritesResponseHeaders() {
        upstream.respondWith(UpstreamReply.ok("{}").header("Connection", "X-Hop-Resp").header("X-Hop-Resp", "1")
                .header("Keep-Alive", "timeout=3").header("Via", "1.1 backend").header("RateLimit", "forged")
                .header("Proxy-Authenticate", "Basic"));
        admission.rateLimit(new RateLimitState(10, 7, 0, 42));
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
            RawResponse response = client.readResponse();
            assertThat(response.header("X-Hop-Resp")).isNull();
            assertThat(response.header("Keep-Alive")).isNull();
            assertThat(response.header("Proxy-Authenticate")).isNull();
            assertThat(response.header("Connection")).isNull();
            assertThat(response.headerValues("Via")).containsExactly("1.1 backend, 1.1 quotagate");
            assertThat(response.headerValues("RateLimit-Policy")).containsExactly("\"qps\";q=10;w=1");
            assertThat(response.headerValues("RateLimit")).containsExactly("\"qps\";r=7;t=0");
            assertThat(response.headerValues("X-Calls-Remaining")).containsExactly("42");
        }
    }

    @Test
    void qpsModeOmitsCallsRemaining() {
        admission.rateLimit(new RateLimitState(50, 49, 1, -1));
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
            RawResponse response = client.readResponse();
            assertThat(response.header("RateLimit")).isEqualTo("\"qps\";r=49;t=1");
            assertThat(response.header("X-Calls-Remaining")).isNull();
        }
    }

    @Test
    void reusesConnectionsOnBothSides() {
        try (RawHttpClient client = gateway.connect()) {
            for (int i = 0; i < 20; i++) {
                client.send("GET /test/" + i + " HTTP/1.1\r\nHost: h\r\n\r\n");
                assertThat(client.readResponse().status()).isEqualTo(200);
            }
        }
        assertThat(upstream.awaitRequests(20, Duration.ofSeconds(5))).hasSize(20);
        assertThat(upstream.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void answersPipelinedRequestsInOrder() {
        upstream.respondWith(r -> UpstreamReply.ok(r.uri()).delay(r.uri().endsWith("1") ? Duration.ofMillis(200) : Duration.ZERO));
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/1 HTTP/1.1\r\nHost: h\r\n\r\n"
                    + "POST /test/2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /test/3 HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().bodyText()).isEqualTo("/test/1");
            assertThat(client.readResponse().bodyText()).isEqualTo("/test/2");
            assertThat(client.readResponse().bodyText()).isEqualTo("/test/3");
        }
        assertThat(upstream.requests()).extracting(RecordedRequest::uri).containsExactly("/test/1", "/test/2", "/test/3");
    }

    @Test
    void pipelinedMalformedRequestIsAnsweredAfterTheEarlierResponse() {
        upstream.respondWith(UpstreamReply.ok("first").delay(Duration.ofMillis(200)));
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/1 HTTP/1.1\r\nHost: h\r\n\r\nGET /test/2 HTTP/1.1\r\n\r\n");
            assertThat(client.readResponse().bodyText()).isEqualTo("first");
            assertThat(client.readResponse().status()).isEqualTo(400);
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).isTrue();
        }
    }

    @Test
    void unknownRouteIsNeverForwarded() {
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /v1/unknown HTTP/1.1\r\nHost: h\r\n\r\n");
            RawResponse response = client.readResponse();
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.bodyText()).isEqualTo(
                    "{\"error\":{\"code\":\"route_not_found\",\"message\":\"No route matches this method and path.\"}}");
            assertThat(response.header("Content-Type")).isEqualTo("application/json");
            // keep-alive survives a 404
            client.send("GET /test/ok HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        assertThat(upstream.requests()).extracting(RecordedRequest::uri).containsExactly("/test/ok");
    }

    @Test
    void rejectedRequestWithBodyIsDrainedAndTheConnectionKept() {
        admission.rejectWith(r -> r.path().equals("/test/no")
                ? new io.quotagate.gateway.admission.Decision.Rejected(io.quotagate.gateway.admission.RejectionCode.QPS_EXCEEDED,
                        "slow down", new RateLimitState(10, 0, 1, 5), 1, "test", "acme")
                : null);
        try (RawHttpClient client = gateway.connect()) {
            client.send("POST /test/no HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
            RawResponse rejected = client.readResponse();
            assertThat(rejected.status()).isEqualTo(429);
            assertThat(rejected.header("Retry-After")).isEqualTo("1");
            assertThat(rejected.header("RateLimit")).isEqualTo("\"qps\";r=0;t=1");
            assertThat(rejected.bodyText()).contains("\"code\":\"qps_exceeded\"", "\"message\":\"slow down\"");
            client.send("GET /test/yes HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        assertThat(upstream.requests()).extracting(RecordedRequest::uri).containsExactly("/test/yes");
    }

    @Test
    void asynchronousAdmissionContinuesOnTheEventLoop() {
        admission.delay(Duration.ofMillis(30));
        try (RawHttpClient client = gateway.connect()) {
            for (int i = 0; i < 3; i++) {
                client.send("POST /test/a HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi");
                assertThat(client.readResponse().status()).isEqualTo(200);
            }
        }
        assertThat(upstream.requests()).allSatisfy(r -> assertThat(r.bodyText()).isEqualTo("hi"));
    }

    @Test
    void headResponseHasNoBody() {
        upstream.respondWith(UpstreamReply.status(200).chunked());
        try (RawHttpClient client = gateway.connect()) {
            client.send("HEAD /test/a HTTP/1.1\r\nHost: h\r\n\r\n");
            RawResponse head = client.readResponse(true);
            assertThat(head.status()).isEqualTo(200);
            client.send("GET /test/b HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
    }

    @Test
    void http10ClientGetsAnHttp11ResponseItCanFrame() {
        upstream.respondWith(UpstreamReply.ok("abc").chunked());
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.0\r\n\r\n");
            RawResponse response = client.readResponse();
            assertThat(response.header("Transfer-Encoding")).isNull();
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).isTrue();
        }
        assertThat(upstream.awaitRequest().header("X-Forwarded-Host")).isNull();
    }

    @Test
    void upgradeIsNotTunnelled() {
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: websocket, h2c\r\n"
                    + "HTTP2-Settings: AAMAAABkAAQAAP__\r\nSec-WebSocket-Key: x\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        RecordedRequest seen = upstream.awaitRequest();
        assertThat(seen.header("Upgrade")).isNull();
        assertThat(seen.header("Connection")).isNull();
        assertThat(seen.header("HTTP2-Settings")).isNull();
    }

    @Test
    void connectionCloseFromClientIsHonoured() {
        try (RawHttpClient client = gateway.connect()) {
            client.send("GET /test/a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
            RawResponse response = client.readResponse();
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).isTrue();
        }
        // the upstream connection stays pooled regardless
        assertThat(upstream.awaitRequest().header("Connection")).isNull();
    }
}
