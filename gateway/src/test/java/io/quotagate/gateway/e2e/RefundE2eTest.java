package io.quotagate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.Replica;
import io.quotagate.gateway.e2e.GatewayHttp.Reply;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RedisServerExtension;
import io.quotagate.gateway.testkit.UpstreamReply;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule 9 through a real gateway, checked in Redis: a charged call is refunded when the upstream answers a
 * {@code refund_on} status (default 500-599 and 429), refuses the connection, hangs up, or does not answer within
 * {@code response_timeout}, or dies mid-body after its head (the client got a truncated response); any other
 * status is charged, also when the client leaves in the middle of the response; and a refund happens at most once,
 * even when the upstream's answer comes after the timeout already refunded. Stalled and slow peers: an upstream
 * that stalls mid-body ({@code upstream.idle_timeout}) is refunded, a client that stops reading
 * ({@code server.write_idle}) is charged, a client that leaves mid-body is refunded and no complete request
 * reached the upstream.
 */
class RefundE2eTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration RESPONSE_TIMEOUT = Duration.ofMillis(300);
    private static final int BALANCE = 10;
    /** Long enough for a second settlement of the same request to have reached Redis, were there one. */
    private static final Duration NO_SECOND_REFUND = Duration.ofSeconds(1);

    @TempDir
    static Path dir;

    private static RecordingUpstream upstream;
    /** How the upstream answers, by the {@code X-Tenant-Id} the gateway sets. */
    private static final Map<String, UpstreamReply> REPLIES = new ConcurrentHashMap<>();
    private static Accounts accounts;
    private static Replicas replicas;
    private static Replica gateway;
    private static Path deadUpstreamConfig;
    private final GatewayHttp http = new GatewayHttp();

    @BeforeAll
    static void start() throws IOException {
        upstream = RecordingUpstream.start();
        upstream.respondWith(r -> REPLIES.getOrDefault(r.header("X-Tenant-Id"), UpstreamReply.ok("{\"ok\":true}")));
        accounts = new Accounts(REDIS.uri());
        E2eConfig config = E2eConfig.of(upstream.url().toString(), REDIS.uri()).responseTimeout(RESPONSE_TIMEOUT);
        replicas = new Replicas();
        gateway = replicas.start(config.writeTo(dir.resolve("quotagate.yaml")));
        deadUpstreamConfig = config.upstream("http://127.0.0.1:" + closedPort()).writeTo(dir.resolve("dead-upstream.yaml"));
    }

    @AfterAll
    static void stop() {
        replicas.close();
        accounts.close();
        upstream.close();
    }

    @Test
    void anUpstream500IsPassedThroughAndEachCallRefundedOnce() {
        String key = tenant("r500", UpstreamReply.status(500).header("Content-Type", "application/json").body("{\"upstream\":\"boom\"}"));

        for (int i = 0; i < 3; i++) {
            Reply reply = http.generate(gateway.port(), key);
            assertThat(reply.status()).isEqualTo(500);
            assertThat(reply.body()).isEqualTo("{\"upstream\":\"boom\"}");
        }

        assertRefunded("r500", 3);
    }

    @Test
    void anUpstream429IsRefunded() {
        String key = tenant("r429", UpstreamReply.status(429).body("slow down"));

        Reply reply = http.generate(gateway.port(), key);

        assertThat(reply.status()).isEqualTo(429);
        assertThat(reply.body()).isEqualTo("slow down");
        assertRefunded("r429", 1);
    }

    @Test
    void anUpstream400IsCharged() {
        String key = tenant("r400", UpstreamReply.status(400).body("bad prompt"));

        Reply reply = http.generate(gateway.port(), key);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body()).isEqualTo("bad prompt");
        assertThat(reply.header("X-Calls-Remaining")).isEqualTo(String.valueOf(BALANCE - 1));
        Poll.stays("balance after a 400", NO_SECOND_REFUND, () -> accounts.balance("r400"), (long) BALANCE - 1);
        assertThat(forwarded("r400")).isEqualTo(1);
    }

    @Test
    void aRefusedConnectionIs502AndRefunded() {
        String key = accounts.create("refused", BALANCE, 20);
        Replica dead = replicas.start(deadUpstreamConfig);
        try {
            Reply reply = http.generate(dead.port(), key);

            assertThat(reply.status()).isEqualTo(502);
            assertThat(reply.errorCode()).isEqualTo("upstream_unavailable");
            assertRefunded("refused", 0);
        } finally {
            replicas.stop(dead);
        }
    }

    @Test
    void anUpstreamThatHangsUpIs502AndRefunded() {
        String key = tenant("hangup", UpstreamReply.hangUp());

        Reply reply = http.generate(gateway.port(), key);

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.errorCode()).isEqualTo("upstream_unavailable");
        assertRefunded("hangup", 1);
    }

    @Test
    void anUpstreamSlowerThanTheResponseTimeoutIs504AndRefundedOnceEvenWhenItAnswersLater() {
        Duration late = Duration.ofMillis(800);
        String key = tenant("slow", UpstreamReply.ok("{\"late\":true}").delay(late));

        long started = System.nanoTime();
        Reply reply = http.generate(gateway.port(), key);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(reply.status()).isEqualTo(504);
        assertThat(reply.errorCode()).isEqualTo("upstream_timeout");
        assertThat(tookMs).isBetween(RESPONSE_TIMEOUT.toMillis(), late.toMillis());
        // The upstream's 200 arrives at the gateway ~500 ms after the 504; it must not settle the request again.
        assertRefunded("slow", 1);
    }

    @Test
    void anUpstreamThatDiesMidBodyLeavesATruncatedResponseAndIsRefunded() throws IOException {
        String key = tenant("midbody", UpstreamReply.status(200).streaming(1_000_000).abortAfter(100_000));

        String received = rawGenerate(key, Integer.MAX_VALUE);

        int headEnd = received.indexOf("\r\n\r\n");
        assertThat(received.substring(0, headEnd)).startsWith("HTTP/1.1 200 OK").containsIgnoringCase("content-length: 1000000");
        assertThat(received.length() - headEnd - 4).isLessThan(1_000_000); // cut off: the close is the client's only sign
        assertRefunded("midbody", 1);
    }

    @Test
    void aClientThatLeavesMidResponseIsCharged() throws IOException {
        String key = tenant("leaver", UpstreamReply.status(200).streaming(10_000_000));

        String received = rawGenerate(key, 64 * 1024); // reads the head and some of the body, then closes

        assertThat(received).startsWith("HTTP/1.1 200 OK");
        Poll.until("balance of leaver after the charge", Duration.ofSeconds(5),
                () -> accounts.balance("leaver"), (long) BALANCE - 1);
        Poll.stays("balance of leaver", NO_SECOND_REFUND, () -> accounts.balance("leaver"), (long) BALANCE - 1);
        assertThat(forwarded("leaver")).isEqualTo(1);
    }

    @Test
    void aRequestCutOffByAGracefulStopIsRefundedBeforeTheReplicaHasStopped() throws Exception {
        String key = tenant("cutoff", UpstreamReply.ok("{\"late\":true}").delay(Duration.ofSeconds(4)));
        // Its own replica: shutdown_timeout 1s, and a response timeout longer than the upstream's delay.
        Replica stopping = replicas.start(E2eConfig.of(upstream.url().toString(), REDIS.uri())
                .responseTimeout(Duration.ofSeconds(10)).writeTo(dir.resolve("stopping.yaml")));
        CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> {
            try {
                return rawGenerate(stopping.port(), key, Integer.MAX_VALUE);
            } catch (IOException e) {
                return "failed: " + e;
            }
        });
        Poll.until("the cut-off request at the upstream", Duration.ofSeconds(5), () -> forwarded("cutoff"), 1L);
        assertThat(accounts.balance("cutoff")).isEqualTo(BALANCE - 1);

        replicas.stop(stopping); // the drain deadline (1 s) cuts the request off before the upstream answers

        // The client got no response, and the refund reached Redis before the replica finished stopping.
        assertThat(call.get(5, TimeUnit.SECONDS)).doesNotContain("HTTP/1.1 200");
        assertThat(accounts.balance("cutoff")).isEqualTo(BALANCE);
        Poll.stays("balance of cutoff", NO_SECOND_REFUND, () -> accounts.balance("cutoff"), (long) BALANCE);
    }

    @Test
    void anUpstreamThatStallsMidBodyIsCutByItsIdleTimeoutAndRefunded() throws IOException {
        String key = tenant("stall", UpstreamReply.status(200).streaming(1_000_000).stallAfter(100_000));
        Replica idle = replicas.start(E2eConfig.of(upstream.url().toString(), REDIS.uri())
                .upstreamIdleTimeout(Duration.ofMillis(500)).writeTo(dir.resolve("upstream-idle.yaml")));
        try {
            String received = rawGenerate(idle.port(), key, Integer.MAX_VALUE); // to the gateway's close

            assertThat(received).startsWith("HTTP/1.1 200 OK");
            assertThat(received.length() - received.indexOf("\r\n\r\n") - 4).isLessThan(1_000_000);
            assertRefunded("stall", 1);
        } finally {
            replicas.stop(idle);
        }
    }

    @Test
    void aClientThatStopsReadingIsCutByTheWriteIdleTimeoutAndCharged() throws Exception {
        String key = tenant("stopper", UpstreamReply.status(200).streaming(1L << 30));
        Replica writeIdle = replicas.start(E2eConfig.of(upstream.url().toString(), REDIS.uri())
                .upstreamIdleTimeout(Duration.ofMillis(300)).writeIdle(Duration.ofMillis(800))
                .writeTo(dir.resolve("write-idle.yaml")));
        long openBefore = upstream.openConnections(); // pooled ones of the shared replica stay open
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", writeIdle.port()));
            socket.getOutputStream().write(generateRequest(key));
            byte[] head = socket.getInputStream().readNBytes(15);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200 OK");
            // ... and reads nothing more. The gateway cuts it after write_idle; the upstream idle timeout (shorter)
            // must not fire, since the exchange waits on the client, not on the upstream.
            Poll.until("upstream connections after the gateway closed this one", Duration.ofSeconds(5),
                    () -> (long) upstream.openConnections(), openBefore);
            socket.setSoTimeout(5_000);
            long drained = socket.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            assertThat(drained).as("what was in flight when the gateway cut the client").isLessThan(64L << 20);
            assertThat(accounts.balance("stopper")).isEqualTo(BALANCE - 1);
            Poll.stays("balance of stopper", NO_SECOND_REFUND, () -> accounts.balance("stopper"), (long) BALANCE - 1);
        } finally {
            replicas.stop(writeIdle);
        }
    }

    @Test
    void aClientThatLeavesMidBodyIsRefundedAndNoCompleteRequestReachesTheUpstream() throws Exception {
        String key = tenant("leftmidbody", UpstreamReply.ok("{\"ok\":true}"));
        int truncatedBefore = upstream.truncatedRequests();
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.getOutputStream().write(("POST /v1/portrait/generate HTTP/1.1\r\nHost: gw\r\n"
                    + "Authorization: Bearer " + key + "\r\nContent-Length: 100000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(new byte[50_000]); // past server.body_buffer: it streams upstream
            Poll.until("the request head at the upstream", Duration.ofSeconds(5),
                    () -> (long) upstream.headsReceived() - upstream.requestCount() - upstream.truncatedRequests()
                            + truncatedBefore, 1L);
            Thread.sleep(100);
        } // and goes away, 50 000 bytes short

        Poll.until("the cut-off request at the upstream", Duration.ofSeconds(5),
                () -> (long) upstream.truncatedRequests() - truncatedBefore, 1L);
        assertRefunded("leftmidbody", 0); // the balance comes back; no complete request was forwarded
    }

    /** Sends one generate call on a raw socket and reads up to {@code limit} characters of the answer, or to its close. */
    private String rawGenerate(String key, int limit) throws IOException {
        return rawGenerate(gateway.port(), key, limit);
    }

    private static String rawGenerate(int port, String key, int limit) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(generateRequest(key));
            StringBuilder received = new StringBuilder();
            byte[] buffer = new byte[16 * 1024];
            InputStream in = socket.getInputStream();
            int n;
            while (received.length() < limit && (n = in.read(buffer)) > 0) {
                received.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
            return received.toString();
        }
    }

    private static byte[] generateRequest(String key) {
        String body = "{\"prompt\":\"cat\"}";
        return ("POST /v1/portrait/generate HTTP/1.1\r\nHost: gw\r\n"
                + "Authorization: Bearer " + key + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    /** A tenant with {@link #BALANCE} calls whose requests the upstream answers with {@code reply}; returns its key. */
    private String tenant(String id, UpstreamReply reply) {
        REPLIES.put(id, reply);
        return accounts.create(id, BALANCE, 20);
    }

    /** Every call was refunded (the balance comes back) and none twice (it never goes above). */
    private void assertRefunded(String tenant, int forwarded) {
        Poll.until("balance of " + tenant + " after the refunds", Duration.ofSeconds(5),
                () -> accounts.balance(tenant), (long) BALANCE);
        Poll.stays("balance of " + tenant, NO_SECOND_REFUND, () -> accounts.balance(tenant), (long) BALANCE);
        assertThat(forwarded(tenant)).isEqualTo(forwarded);
    }

    private static long forwarded(String tenant) {
        return upstream.requests().stream().filter(r -> tenant.equals(r.header("X-Tenant-Id"))).count();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
