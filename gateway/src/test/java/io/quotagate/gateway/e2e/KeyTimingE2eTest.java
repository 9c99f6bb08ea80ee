package io.quotagate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.Replica;
import io.quotagate.gateway.admission.ApiKeys;
import io.quotagate.gateway.testkit.RawHttpClient;
import io.quotagate.gateway.testkit.RawHttpClient.RawResponse;
import io.quotagate.gateway.testkit.RecordingUpstream;
import io.quotagate.gateway.testkit.RedisServerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long a 401 takes, by how much of a key matched: a key of a known tenant differing from a valid key only in its
 * last character, or only in the first character of its secret, a revoked key, a key naming an unknown tenant.
 * Keys are looked up by their SHA-256 digest (in Redis here), so a near miss shares nothing with the valid key by
 * the time anything is compared. The figures (medians and 90th percentiles, interleaved rounds on one keep-alive
 * connection to a real replica on a real Redis) are printed, never asserted: a timing assertion on a shared machine would flake. What is asserted
 * is that every kind gets the same 401 body. Figures are recorded in {@code docs/reliability.md}.
 */
class KeyTimingE2eTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    /** Rounds of one request per kind; a few hundred keep the run near a second (more: -Dquotagate.keyTiming.rounds). */
    private static final int ROUNDS = Integer.getInteger("quotagate.keyTiming.rounds", 200);
    private static final int WARM_UP = 30;

    @TempDir
    static Path dir;

    private static RecordingUpstream upstream;
    private static Accounts accounts;
    private static Replicas replicas;
    private static Replica gateway;

    @BeforeAll
    static void start() {
        upstream = RecordingUpstream.start();
        accounts = new Accounts(REDIS.uri());
        replicas = new Replicas();
        // A generous store timeout: on a loaded machine a slow admit would be a 503, which says nothing about keys.
        gateway = replicas.start(E2eConfig.of(upstream.url().toString(), REDIS.uri())
                .redisTimeout(Duration.ofSeconds(2), 2).writeTo(dir.resolve("quotagate.yaml")));
    }

    @AfterAll
    static void stop() {
        replicas.close();
        accounts.close();
        upstream.close();
    }

    @Test
    void invalidKeysAreRefusedAlikeWhateverPartOfThemMatched() {
        String valid = accounts.create("timing", 10, 1);
        String revoked = accounts.addKey("timing", "k2");
        accounts.revokeKey("timing", "k2");
        int secret = valid.lastIndexOf('.') + 1;
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("all but the last char", valid.substring(0, valid.length() - 1) + other(valid.charAt(valid.length() - 1)));
        keys.put("all but the first secret char", valid.substring(0, secret) + other(valid.charAt(secret)) + valid.substring(secret + 1));
        keys.put("revoked key", revoked);
        keys.put("unknown tenant", ApiKeys.generate("nobody"));

        Map<String, long[]> nanos = new LinkedHashMap<>();
        keys.keySet().forEach(kind -> nanos.put(kind, new long[ROUNDS]));
        String body = null;
        int retried = 0;
        List<String> order = new ArrayList<>(keys.keySet());
        try (RawHttpClient client = RawHttpClient.connect(gateway.port())) {
            for (int round = -WARM_UP; round < ROUNDS; round++) {
                Collections.shuffle(order); // no kind always first after a pause
                for (String kind : order) {
                    String request = "POST /v1/portrait/generate HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer "
                            + keys.get(kind) + "\r\nContent-Length: 0\r\n\r\n";
                    long start;
                    RawResponse reply;
                    int storeBusy = 0;
                    do { // a store that timed out (503, counted) is asked again: its answer is not the key's
                        start = System.nanoTime();
                        reply = client.send(request).readResponse();
                    } while (reply.status() == 503 && ++storeBusy < 5);
                    long took = System.nanoTime() - start;
                    retried += storeBusy;
                    assertThat(reply.status()).as(kind).isEqualTo(401);
                    body = body == null ? reply.bodyText() : body;
                    assertThat(reply.bodyText()).as(kind).isEqualTo(body);
                    if (round >= 0) {
                        nanos.get(kind)[round] = took;
                    }
                }
            }
        }
        StringBuilder report = new StringBuilder("401 latency by key kind (" + ROUNDS + " interleaved rounds, µs; "
                + retried + " request(s) asked again after a 503 from a slow store):\n");
        nanos.forEach((kind, samples) -> {
            Arrays.sort(samples);
            report.append(String.format("  %-30s median %6.1f  p90 %6.1f%n", kind,
                    samples[samples.length / 2] / 1000.0, samples[samples.length * 9 / 10] / 1000.0));
        });
        System.out.print(report);
        assertThat(upstream.requestCount()).isZero();
    }

    /** Another character of the key alphabet. */
    private static char other(char c) {
        return c == 'A' ? 'B' : 'A';
    }
}
