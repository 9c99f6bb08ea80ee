package io.quotagate.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.events.WebhookSignature.Verdict;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The documented receiver check: HMAC-SHA256 over {@code timestamp.body}, compared exactly, within the replay window. */
class WebhookSignatureTest {

    private static final String SECRET = "whsec-0123456789abcdef";
    private static final String BODY = "{\"id\":\"calls_low:acme:portrait:20:g0\",\"type\":\"calls_low\"}";
    private static final Instant NOW = Instant.parse("2026-12-02T08:00:00Z");
    private final long ts = NOW.getEpochSecond();

    @Test
    void aSignatureMadeWithTheSecretVerifies() {
        String signature = WebhookSignature.sign(SECRET, ts, BODY);
        assertThat(signature).matches("v1=[0-9a-f]{64}");
        assertThat(verify(Long.toString(ts), BODY, signature, NOW)).isEqualTo(Verdict.VALID);
        // Known answer, so a receiver in another language can check its implementation against this one.
        assertThat(WebhookSignature.sign("secret", 1700000000, "{}"))
                .isEqualTo("v1=" + hmacHex("secret", "1700000000.{}"));
    }

    @Test
    void aForgedBodyTimestampOrSecretIsDetected() {
        String signature = WebhookSignature.sign(SECRET, ts, BODY);
        assertThat(verify(Long.toString(ts), BODY.replace("calls_low", "grant_applied"), signature, NOW))
                .isEqualTo(Verdict.BAD_SIGNATURE);
        assertThat(verify(Long.toString(ts + 1), BODY, signature, NOW)).isEqualTo(Verdict.BAD_SIGNATURE);
        assertThat(verify(Long.toString(ts), BODY, WebhookSignature.sign("another-secret-0000", ts, BODY), NOW))
                .isEqualTo(Verdict.BAD_SIGNATURE);
        assertThat(verify(Long.toString(ts), BODY, "v1=" + "0".repeat(64), NOW)).isEqualTo(Verdict.BAD_SIGNATURE);
        assertThat(verify(null, BODY, signature, NOW)).isEqualTo(Verdict.MALFORMED);
        assertThat(verify("yesterday", BODY, signature, NOW)).isEqualTo(Verdict.MALFORMED);
        assertThat(verify(Long.toString(ts), BODY, "sha256=abc", NOW)).isEqualTo(Verdict.MALFORMED);
    }

    @Test
    void aValidSignatureOutsideTheReplayWindowIsStale() {
        long old = ts - WebhookSignature.TOLERANCE.toSeconds() - 1;
        String replayed = WebhookSignature.sign(SECRET, old, BODY);
        assertThat(verify(Long.toString(old), BODY, replayed, NOW)).isEqualTo(Verdict.STALE);
        long edge = ts - WebhookSignature.TOLERANCE.toSeconds();
        assertThat(verify(Long.toString(edge), BODY, WebhookSignature.sign(SECRET, edge, BODY), NOW)).isEqualTo(Verdict.VALID);
        long future = ts + Duration.ofMinutes(6).toSeconds();
        assertThat(verify(Long.toString(future), BODY, WebhookSignature.sign(SECRET, future, BODY), NOW))
                .isEqualTo(Verdict.STALE);
    }

    private static Verdict verify(String timestamp, String body, String signature, Instant now) {
        return WebhookSignature.verify(SECRET, timestamp, body, signature, now, WebhookSignature.TOLERANCE);
    }

    private static String hmacHex(String secret, String message) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(message.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
