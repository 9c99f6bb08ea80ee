package io.quotagate.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code X-Request-Id} (SPEC §3): a client's value is kept when it is valid (1 to 128 characters of
 * {@code A-Z a-z 0-9 . _ ~ : + / = -}, so a UUID, a trace id or base64 passes and nothing can break a header line or
 * a log line), otherwise a random 128-bit id in hex is generated. The proxy forwards it, returns it on every
 * response (rejections included) and writes it in the access log. Stateless.
 */
final class RequestIdHeader {

    static final int MAX_LENGTH = 128;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIdHeader() {
    }

    /** The client's valid {@code X-Request-Id}, or a new one. */
    static String of(HttpHeaders headers) {
        String given = headers.get(ForwardingHeaders.X_REQUEST_ID);
        return given != null && valid(given) ? given : generate();
    }

    static boolean valid(CharSequence id) {
        int n = id.length();
        if (n == 0 || n > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '_' || c == '~' || c == ':' || c == '+' || c == '/' || c == '=' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** 32 hex digits; not a secret, only unique in practice, so the thread's fast generator is enough. */
    static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        long a = random.nextLong();
        long b = random.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xF];
            out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xF];
        }
        return new String(out);
    }
}
