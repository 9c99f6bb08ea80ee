package io.quotagate.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A real HTTP/1.1 client for the gateway's proxy port: the JDK {@link HttpClient} with its connection pool,
 * safe to share between threads. HTTP/1.1 is forced so the client never offers an {@code h2c} upgrade.
 */
final class GatewayHttp {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** {@code POST /v1/portrait/generate} with the key as a bearer token. */
    Reply generate(int port, String key) {
        return send(port, "POST", "/v1/portrait/generate", "Authorization", "Bearer " + key);
    }

    /** One request; {@code headers} are name, value pairs. Waits up to 10 s for the answer. */
    Reply send(int port, String method, String path, String... headers) {
        return sendBody(port, method, path, "POST".equals(method) ? "{\"prompt\":\"cat\"}" : null, headers);
    }

    /** One request with this body (null for none); {@code headers} are name, value pairs. */
    Reply sendBody(int port, String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body != null ? HttpRequest.BodyPublishers.ofString(body)
                        : HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " on port " + port + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One answer of the gateway. */
    record Reply(int status, HttpHeaders headers, String body) {

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        /** {@code error.code} of a rejection body. */
        String errorCode() {
            return json().path("error").path("code").asText();
        }

        @Override
        public String toString() {
            return status + " " + headers.map() + " " + body;
        }
    }
}
