package io.quotagate.gateway.e2e;

import io.quotagate.gateway.e2e.GatewayHttp.Reply;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Steady client traffic across gateway replicas while a test breaks the store: each client thread sends one
 * request after another (one tenant per thread, replicas taken in turn) and every answer is recorded with when it
 * was sent and received, so a test can say how long service stopped, what the clients got meanwhile and when each
 * replica served again. Times are {@link System#nanoTime()}.
 */
final class FailoverLoad implements AutoCloseable {

    /** One request: which replica and tenant, sent and answered when, and the answer (status -1: no answer). */
    record Shot(int replica, String tenant, long sentNs, long doneNs, int status, String code, String retryAfter) {

        long latencyMs() {
            return (doneNs - sentNs) / 1_000_000;
        }

        String outcome() {
            return status == 503 || status == 402 || status == 429 ? status + " " + code : String.valueOf(status);
        }
    }

    /** A number per request, forwarded by the gateway, so the upstream can fail a known tenth of them. */
    static final String SEQUENCE_HEADER = "X-Load-Seq";

    private final GatewayHttp http = new GatewayHttp();
    private final AtomicLong sequence = new AtomicLong();
    private final Queue<Shot> shots = new ConcurrentLinkedQueue<>();
    private final List<Thread> clients = new ArrayList<>();
    private volatile boolean running = true;

    /** Starts {@code threads} clients; thread {@code i} sends as {@code tenants[i % n]} to the replicas in turn. */
    FailoverLoad(int threads, int[] ports, List<Map.Entry<String, String>> tenantKeys) {
        for (int t = 0; t < threads; t++) {
            Map.Entry<String, String> tenant = tenantKeys.get(t % tenantKeys.size());
            int offset = t;
            Thread client = new Thread(() -> {
                for (int n = offset; running; n++) {
                    int replica = n % ports.length;
                    shots.add(send(replica, ports[replica], tenant.getKey(), tenant.getValue()));
                }
            }, "failover-client-" + t);
            client.start();
            clients.add(client);
        }
    }

    private Shot send(int replica, int port, String tenant, String key) {
        long sent = System.nanoTime();
        try {
            Reply r = http.send(port, "POST", "/v1/portrait/generate", "Authorization", "Bearer " + key,
                    SEQUENCE_HEADER, String.valueOf(sequence.incrementAndGet()));
            String code = r.status() >= 400 && r.body().startsWith("{") ? r.errorCode() : "";
            return new Shot(replica, tenant, sent, System.nanoTime(), r.status(), code, r.header("Retry-After"));
        } catch (UncheckedIOException e) {
            return new Shot(replica, tenant, sent, System.nanoTime(), -1, e.getCause().toString(), null);
        }
    }

    /** Stops the clients and waits for their last answers. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread client : clients) {
            client.join(30_000);
        }
    }

    List<Shot> shots() {
        return List.copyOf(shots);
    }

    List<Shot> shots(Predicate<Shot> filter) {
        return shots.stream().filter(filter).toList();
    }

    /** Outcome ("200", "503 quota_store_unavailable", …) → count. */
    Map<String, Long> outcomes(Predicate<Shot> filter) {
        return shots.stream().filter(filter).collect(Collectors.groupingBy(Shot::outcome, Collectors.counting()));
    }

    /** When the first request sent at or after {@code fromNs} that matches was answered 200. */
    OptionalLong firstOkAnswerAfter(long fromNs, Predicate<Shot> filter) {
        return shots.stream().filter(filter).filter(s -> s.sentNs() >= fromNs && s.status() == 200)
                .mapToLong(Shot::doneNs).min();
    }

    /** Waits until {@code filter} has seen a 200 sent at or after {@code fromNs}; false after {@code timeoutMs}. */
    boolean awaitOkAfter(long fromNs, Predicate<Shot> filter, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (firstOkAnswerAfter(fromNs, filter).isEmpty()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
