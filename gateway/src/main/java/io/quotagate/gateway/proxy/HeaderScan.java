package io.quotagate.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * Finds, in one pass over a head, which of a fixed set of field names it contains, as a bit set. The
 * {@link HeaderRewriter} acts on some 15 names per head; asking the header map for each (hash, bucket walk,
 * case-insensitive compare) cost more than walking the handful of fields a typical head has once and
 * comparing each name only with the watched names of the same length. Names are compared case-insensitively.
 * Immutable after construction; shared by every connection.
 */
final class HeaderScan {

    /** Watched names by length; bits parallel them. */
    private final AsciiString[][] byLength;
    private final int[][] bitsByLength;

    /** The names of {@code first} get bits 0.., then those of {@code second} continue the numbering. */
    HeaderScan(AsciiString[] first, AsciiString[] second) {
        AsciiString[] all = new AsciiString[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        if (all.length > Integer.SIZE) {
            throw new IllegalArgumentException("at most 32 names");
        }
        int max = 0;
        for (AsciiString name : all) {
            max = Math.max(max, name.length());
        }
        byLength = new AsciiString[max + 1][0];
        bitsByLength = new int[max + 1][0];
        for (int i = 0; i < all.length; i++) {
            int len = all[i].length();
            int n = byLength[len].length;
            byLength[len] = Arrays.copyOf(byLength[len], n + 1);
            bitsByLength[len] = Arrays.copyOf(bitsByLength[len], n + 1);
            byLength[len][n] = all[i];
            bitsByLength[len][n] = 1 << i;
        }
    }

    /** The bits of the watched names present in {@code headers}. */
    int scan(HttpHeaders headers) {
        int present = 0;
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            CharSequence name = it.next().getKey();
            int len = name.length();
            if (len < byLength.length) {
                AsciiString[] candidates = byLength[len];
                for (int i = 0; i < candidates.length; i++) {
                    if (candidates[i].contentEqualsIgnoreCase(name)) {
                        present |= bitsByLength[len][i];
                    }
                }
            }
        }
        return present;
    }
}
