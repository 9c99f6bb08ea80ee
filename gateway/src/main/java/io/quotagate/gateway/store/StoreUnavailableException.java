package io.quotagate.gateway.store;

/** The store could not be reached or did not answer in time; whether the step applied is unknown. */
public class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
