package io.quotagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quotagate.gateway.testkit.RawHttpClient;
import io.quotagate.gateway.testkit.RawHttpClient.RawResponse;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.UpstreamReply;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as the README runs it ({@code java -jar gateway/target/quotagate-gateway.jar}, from the repository
 * root, each process its own JVM): the quickstart end to end on {@code deploy/quotagate.yaml} and the demo upstream,
 * and the graceful stop on SIGTERM. Runs in the package phase after the shade plugin; skipped when the jar was not
 * built. Each child's output is in the test's temporary directory and printed when the test fails.
 */
class GatewayJarTest {

    /** The README's admin token. */
    private static final String ADMIN_TOKEN = "dev-secret";
    private static final Duration START = Duration.ofSeconds(60);
    /** After the shutdown deadline: closing what is left, the admin listener and the event loops. */
    private static final Duration STOP_MARGIN = Duration.ofSeconds(2);
    private static final String GENERATE = "/v1/portrait/generate";
    private static final String PROMPT = "{\"prompt\":\"a portrait\"}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<JarProcess> children = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private RecordingUpstream upstream;

    @TempDir
    Path dir;

    @RegisterExtension
    final AfterTestExecutionCallback printChildrenOnFailure = context -> {
        if (context.getExecutionException().isPresent()) {
            children.forEach(child -> System.out.println(child.describe()));
        }
    };

    @BeforeEach
    void requireTheJar() {
        Assumptions.assumeTrue(JarProcess.jarBuilt(), "the jar is built by mvn package");
    }

    @AfterEach
    void killChildren() {
        children.forEach(JarProcess::close);
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void theQuickstartPassesARequestToTheDemoUpstreamAndRefusesOthers() throws Exception {
        int[] ports = freePorts(3);
        int upstreamPort = ports[0];
        int publicPort = ports[1];
        int adminPort = ports[2];
        // 1. java -jar gateway/target/quotagate-gateway.jar demo-upstream --port 9000
        JarProcess demo = start("demo-upstream", Map.of(), "demo-upstream", "--port", Integer.toString(upstreamPort));
        demo.awaitOutput("demo upstream listening on http://127.0.0.1:" + upstreamPort, START);
        // 2. QUOTAGATE_ADMIN_TOKEN=dev-secret java -jar gateway/target/quotagate-gateway.jar --config deploy/quotagate.yaml
        //    (a copy with free ports for 8080, 9090 and 9000: those may be taken where the test runs)
        Path config = deployConfig(publicPort, adminPort, "http://127.0.0.1:" + upstreamPort, Map.of());
        JarProcess gateway = start("gateway", Map.of("QUOTAGATE_ADMIN_TOKEN", ADMIN_TOKEN), "--config", config.toString());
        gateway.awaitOutput(" in force (sha256 ", START);
        assertThat(gateway.output()).contains("store.type is memory");

        // 3. KEY=$(quotagate-admin --json tenant create acme ...): the admin API call the CLI makes.
        String key = createTenant(adminPort, "acme");
        //    curl -i -X POST -H "Authorization: Bearer $KEY" -d '{"prompt":"a portrait"}' http://127.0.0.1:8080/...
        HttpResponse<String> passed = send(publicPort, "POST", GENERATE, PROMPT, "Authorization", "Bearer " + key);
        assertThat(passed.statusCode()).as(passed.body()).isEqualTo(200);
        JsonNode task = JSON.readTree(passed.body());
        assertThat(task.path("task_id").asText()).as(passed.body()).matches("t-\\d+");
        assertThat(task.path("status").asText()).as("the demo upstream's answer").isEqualTo("queued");
        assertThat(task.path("tenant").asText()).as("X-Tenant-Id set by the gateway, echoed").isEqualTo("acme");
        assertThat(header(passed, "RateLimit-Policy")).isEqualTo("\"qps\";q=10;w=1");
        assertThat(header(passed, "RateLimit")).isEqualTo("\"qps\";r=9;t=0");
        assertThat(header(passed, "X-Calls-Remaining")).isEqualTo("199");
        //    quotagate-admin tenant show acme      # 199 free calls left
        HttpResponse<String> shown = send(adminPort, "GET", "/v1/tenants/acme", null, "Authorization", "Bearer " + ADMIN_TOKEN);
        assertThat(shown.statusCode()).as(shown.body()).isEqualTo(200);
        assertThat(JSON.readTree(shown.body()).path("groups").path("portrait").path("calls_remaining").asLong()).isEqualTo(199);

        // Refusals, with SPEC §3's body: no key, an unknown key, an unknown route.
        assertRejected(send(publicPort, "POST", GENERATE, PROMPT), 401, "missing_api_key");
        assertRejected(send(publicPort, "POST", GENERATE, PROMPT, "Authorization", "Bearer qg_acme.not-a-key"),
                401, "invalid_api_key");
        assertRejected(send(publicPort, "GET", "/v1/unknown", null, "Authorization", "Bearer " + key), 404, "route_not_found");
    }

    @Test
    void theDemoUpstreamListensOnTheAddressGivenForTheComposeStack() throws Exception {
        // deploy/docker-compose.yml runs it in its own container: demo-upstream --port 9000 --bind 0.0.0.0
        int port = freePorts(1)[0];
        JarProcess demo = start("demo-upstream", Map.of(), "demo-upstream", "--port", Integer.toString(port), "--bind", "0.0.0.0");
        demo.awaitOutput("demo upstream listening on http://0.0.0.0:" + port, START);
        HttpResponse<String> task = send(port, "GET", "/v1/portrait/tasks/t-1", null);
        assertThat(task.statusCode()).as(task.body()).isEqualTo(200);

        JarProcess wrong = start("demo-upstream-usage", Map.of(), "demo-upstream", "--bind");
        assertThat(wrong.exitCodeWithin(START)).isEqualTo(2);
        assertThat(wrong.output()).contains("usage: demo-upstream [--port N] [--bind ADDRESS]");
    }

    @Test
    void sigtermLetsTheRequestInFlightFinishThenExitsZero() throws Exception {
        String image = "{\"image\":\"" + "a".repeat(256 * 1024) + "\"}";
        upstream = RecordingUpstream.start();
        upstream.respondWith(r -> r.uri().startsWith("/v1/portrait/tasks/") ? UpstreamReply.ok("{\"status\":\"done\"}")
                : UpstreamReply.ok(image).delay(Duration.ofSeconds(3)));
        Duration deadline = Duration.ofSeconds(10);
        Running gateway = startBehind(upstream, deadline);
        try (RawHttpClient idle = RawHttpClient.connect(gateway.port());
             RawHttpClient busy = RawHttpClient.connect(gateway.port()).timeout(Duration.ofSeconds(15))) {
            idle.send(request("GET", "/v1/portrait/tasks/t-1", gateway.key(), ""));
            assertThat(idle.readResponse().status()).isEqualTo(200);
            busy.send(request("POST", GENERATE, gateway.key(), PROMPT));
            upstream.awaitRequests(2, Duration.ofSeconds(5)); // the slow one reached the upstream: it is in flight

            long signalled = sigterm(gateway.child());
            awaitRefused(gateway.port(), Duration.ofSeconds(3));
            assertThat(gateway.child().process().isAlive()).as("refusing while it drains").isTrue();
            assertThat(idle.closedByPeer(Duration.ofSeconds(2))).as("the idle keep-alive connection is closed").isTrue();
            idle.close();

            RawResponse finished = busy.readResponse();
            assertThat(finished.status()).isEqualTo(200);
            assertThat(finished.bodyText()).isEqualTo(image);
            assertThat(finished.header("Connection")).isEqualTo("close");
            assertThat(busy.closedByPeer(Duration.ofSeconds(2))).isTrue();
            busy.close(); // as a client does on EOF: the gateway waits up to 2 s for that before it lets go
            assertThat(gateway.child().exitCodeWithin(left(signalled, deadline))).isZero();
        }
        assertThat(gateway.child().output())
                .contains("stopping: finishing in-flight requests (up to 10000 ms)")
                .contains("drained: every client connection finished its exchange and closed")
                .containsPattern("(?m) - stopped$")
                .doesNotContain("shutdown deadline");
    }

    @Test
    void sigtermCutsOffARequestSlowerThanTheDeadlineAndStillExitsInTime() throws Exception {
        upstream = RecordingUpstream.start();
        upstream.respondWith(UpstreamReply.ok("{\"too\":\"late\"}").delay(Duration.ofSeconds(30)));
        Duration deadline = Duration.ofSeconds(1);
        Running gateway = startBehind(upstream, deadline);
        try (RawHttpClient busy = RawHttpClient.connect(gateway.port())) {
            busy.send(request("POST", GENERATE, gateway.key(), PROMPT));
            upstream.awaitRequests(1, Duration.ofSeconds(5));

            long signalled = sigterm(gateway.child());
            assertThat(gateway.child().exitCodeWithin(left(signalled, deadline.plus(STOP_MARGIN)))).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).as("the request had its time")
                    .isGreaterThanOrEqualTo(deadline);
            assertThat(busy.closedByPeer(Duration.ofSeconds(2))).as("cut off without a response").isTrue();
        }
        assertThat(gateway.child().output())
                .contains("stopping: finishing in-flight requests (up to 1000 ms)")
                .contains("shutdown deadline (1000 ms) passed: closing 1 client connection(s) still open")
                .containsPattern("(?m) - stopped$")
                .doesNotContain("drained");
    }

    // --- processes

    private JarProcess start(String name, Map<String, String> env, String... args) throws IOException {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        JarProcess child = JarProcess.start(name, logs, env, args);
        children.add(child);
        return child;
    }

    /** The deploy config behind {@code upstream}, with this shutdown deadline and a tenant to call as. */
    private Running startBehind(RecordingUpstream upstream, Duration shutdownTimeout) throws Exception {
        int[] ports = freePorts(2);
        Path config = deployConfig(ports[0], ports[1], upstream.url().toString(),
                Map.of("shutdown_timeout: 30s", "shutdown_timeout: " + shutdownTimeout.toMillis() + "ms"));
        JarProcess gateway = start("gateway", Map.of("QUOTAGATE_ADMIN_TOKEN", ADMIN_TOKEN), "--config", config.toString());
        gateway.awaitOutput(" in force (sha256 ", START);
        return new Running(gateway, ports[0], createTenant(ports[1], "acme"));
    }

    /** Sends SIGTERM (what {@link Process#destroy()} sends where normal termination is supported); returns when. */
    private static long sigterm(JarProcess child) {
        assertThat(child.process().toHandle().supportsNormalTermination()).as("destroy() is SIGTERM here").isTrue();
        long at = System.nanoTime();
        child.process().destroy();
        return at;
    }

    private static Duration left(long since, Duration budget) {
        return budget.minusNanos(System.nanoTime() - since);
    }

    private static void awaitRefused(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            } catch (ConnectException refused) {
                return;
            } catch (IOException e) {
                throw new AssertionError("connecting to " + port + " failed otherwise than refused", e);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("port " + port + " still accepts connections after " + timeout);
            }
            Thread.sleep(20);
        }
    }

    /** Ports free now, all different (held together while picked). */
    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return held.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
    }

    // --- config

    /**
     * {@code deploy/quotagate.yaml} with its ports (8080, 9090, 9091), its upstream and {@code extra} replaced; each
     * replaced text must occur exactly once, so a change to the shipped file shows here.
     */
    private Path deployConfig(int publicPort, int adminPort, String upstreamUrl, Map<String, String> extra) throws IOException {
        Map<String, String> edits = new LinkedHashMap<>();
        edits.put("port: 8080", "port: " + publicPort);
        edits.put("port: 9090", "port: " + adminPort);
        edits.put("port: 9091", "port: 0"); // the status listener: any free port
        edits.put("url: \"http://127.0.0.1:9000\"", "url: \"" + upstreamUrl + "\"");
        edits.putAll(extra);
        String yaml = Files.readString(JarProcess.ROOT.resolve("deploy/quotagate.yaml"));
        for (Map.Entry<String, String> edit : edits.entrySet()) {
            assertThat(yaml.split(Pattern.quote(edit.getKey()), -1)).as("\"%s\" in deploy/quotagate.yaml", edit.getKey())
                    .hasSize(2);
            yaml = yaml.replace(edit.getKey(), edit.getValue());
        }
        Path config = Files.createDirectories(dir.resolve("deploy")).resolve("quotagate.yaml");
        Files.writeString(config, yaml);
        return config;
    }

    // --- HTTP

    /** {@code POST /v1/tenants} as {@code quotagate-admin tenant create ID} sends it; returns the new API key. */
    private String createTenant(int adminPort, String id) throws Exception {
        HttpResponse<String> created = send(adminPort, "POST", "/v1/tenants", "{\"id\":\"" + id + "\"}",
                "Authorization", "Bearer " + ADMIN_TOKEN, "Content-Type", "application/json");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String key = JSON.readTree(created.body()).path("api_key").asText();
        assertThat(key).startsWith("qg_" + id + ".");
        return key;
    }

    /** One request to 127.0.0.1:{@code port}; {@code headers} are name, value pairs. */
    private HttpResponse<String> send(int port, String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String request(String method, String path, String key, String body) {
        return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                + "\r\n\r\n" + body;
    }

    private static String header(HttpResponse<String> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** SPEC §3: the status, and a JSON body {@code {"error":{"code":"…","message":"…"}}} with nothing else. */
    private static void assertRejected(HttpResponse<String> response, int status, String code) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(header(response, "Content-Type")).startsWith("application/json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(fieldNames(body)).as(response.body()).containsExactly("error");
        assertThat(fieldNames(body.path("error"))).as(response.body()).containsExactly("code", "message");
        assertThat(body.path("error").path("code").asText()).isEqualTo(code);
        assertThat(body.path("error").path("message").asText()).isNotBlank();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A gateway child with its public port and the API key of a tenant created through its admin API. */
    private record Running(JarProcess child, int port, String key) {
    }
}
