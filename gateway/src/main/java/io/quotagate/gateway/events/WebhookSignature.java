package io.quotagate.gateway.events;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook signature (docs/billing-events.md): {@code Quotagate-Signature: v1=<hex>} where hex is
 * HMAC-SHA256 with the shared secret over {@code <timestamp>.<body>}, and {@code Quotagate-Timestamp} is the
 * send time in Unix seconds. A receiver recomputes it, compares in constant time and refuses a timestamp more than
 * the replay window away from its clock. {@link #verify} is that check, for receivers written in Java and tests.
 */
public final class WebhookSignature {

    public static final String TIMESTAMP_HEADER = "Quotagate-Timestamp";
    public static final String SIGNATURE_HEADER = "Quotagate-Signature";
    public static final String EVENT_ID_HEADER = "Quotagate-Event-Id";
    /** The replay window documented for receivers. */
    public static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final String VERSION = "v1=";

    /** The outcome of a check. */
    public enum Verdict { VALID, BAD_SIGNATURE, STALE, MALFORMED }

    private WebhookSignature() {
    }

    /** The {@code Quotagate-Signature} value for a body sent at {@code timestampSeconds}. */
    public static String sign(String secret, long timestampSeconds, String body) {
        return VERSION + HexFormat.of().formatHex(hmac(secret, timestampSeconds + "." + body));
    }

    /** The receiver's check: the signature matches this body and timestamp, and the timestamp is within {@code tolerance} of {@code now}. */
    public static Verdict verify(String secret, String timestampHeader, String body, String signatureHeader, Instant now,
                                 Duration tolerance) {
        if (timestampHeader == null || signatureHeader == null || !timestampHeader.matches("[0-9]{1,12}")
                || !signatureHeader.startsWith(VERSION)) {
            return Verdict.MALFORMED;
        }
        long timestamp = Long.parseLong(timestampHeader);
        byte[] expected = sign(secret, timestamp, body).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signatureHeader.getBytes(StandardCharsets.US_ASCII))) {
            return Verdict.BAD_SIGNATURE;
        }
        return Math.abs(now.getEpochSecond() - timestamp) > tolerance.toSeconds() ? Verdict.STALE : Verdict.VALID;
    }

    private static byte[] hmac(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required by every JVM", e);
        }
    }
}
