package io.quotagate.gateway.store;

import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * The store could not be reached or did not answer in time; whether the step applied is unknown. A failed admit
 * carries the receipts its requests would have had ({@link AdmitResult.Admitted#receipt()}), so that a cancel can
 * find an admission that applied after all.
 */
public class StoreUnavailableException extends RuntimeException {

    private final transient Map<String, String> receipts;

    public StoreUnavailableException(String message, Throwable cause) {
        this(message, cause, Map.of());
    }

    public StoreUnavailableException(String message, Throwable cause, Map<String, String> receipts) {
        super(message, cause);
        this.receipts = Map.copyOf(receipts);
    }

    /** The receipt of {@code requestId} that {@code error} (or its cause) carries, or null. */
    public static String receiptOf(Throwable error, String requestId) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return e instanceof StoreUnavailableException s ? s.receipts.get(requestId) : null;
    }
}
