package io.quotagate.gateway.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server ({@code /usr/bin/prometheus}, Debian's package) on a free port, with a generated config
 * that scrapes one target every second and loads the given rule files. {@link #query} runs PromQL through its HTTP
 * API ({@code /api/v1/query}). {@link #close()} stops it.
 */
public final class PrometheusServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final Path dir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Starts Prometheus scraping {@code target} ({@code host:port}, path {@code /metrics}, job {@code quotagate});
     * returns once it is ready.
     *
     * @param ruleFile an absolute path of a rule file to load, or null
     */
    public static PrometheusServer start(Path dir, String target, Path ruleFile) throws Exception {
        Path binary = PrometheusTools.require("prometheus");
        String config = """
                global: { scrape_interval: 1s, evaluation_interval: 1s }
                %s
                scrape_configs:
                  - job_name: quotagate
                    metrics_path: /metrics
                    static_configs: [ { targets: ["%s"] } ]
                """.formatted(ruleFile == null ? "" : "rule_files: [\"" + ruleFile + "\"]", target);
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, config);
        int port = freePort();
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + file,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn").redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "prometheus-stop"));
        PrometheusServer server = new PrometheusServer(process, port, dir);
        server.awaitReady();
        return server;
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
            }
            try {
                if (get("/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("prometheus not ready after 30 s: " + Files.readString(dir.resolve("prometheus.log")));
    }

    /** The {@code data} of an instant query; fails (with Prometheus's error) unless the status is {@code success}. */
    public JsonNode query(String promql) throws Exception {
        HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new AssertionError("query failed: " + promql + "\n" + response.body());
        }
        return body.path("data");
    }

    /** The rules Prometheus loaded, as {@code /api/v1/rules} reports them. */
    public JsonNode rules() throws Exception {
        return JSON.readTree(get("/api/v1/rules").body()).path("data");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
