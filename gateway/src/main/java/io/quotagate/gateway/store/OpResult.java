package io.quotagate.gateway.store;

/** The outcome of a tenant operation: done, or refused for a reason the caller can show. */
public sealed interface OpResult<T> {

    static <T> OpResult<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> OpResult<T> refused(Refusal refusal, String message) {
        return new Refused<>(refusal, message);
    }

    /** Done (or, for a repeated order, done before: {@code value} is the first result). */
    record Ok<T>(T value) implements OpResult<T> {
    }

    record Refused<T>(Refusal refusal, String message) implements OpResult<T> {
    }

    /** Why an operation was refused; the admin API maps these to 404, 409 and 422. */
    enum Refusal {
        /** No such tenant, group or key. */
        NOT_FOUND,
        /** The tenant id exists (create), or the order id was used with another body (rule 10). */
        CONFLICT,
        /** The request breaks a rule, e.g. a QPS purchase over {@code max_qps}. */
        INVALID
    }
}
