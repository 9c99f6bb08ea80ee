package io.quotagate.gateway.admin;

import io.quotagate.gateway.store.OpResult;
import io.quotagate.gateway.store.StoreUnavailableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place that turns a service's outcome or failure into an admin API status and error body. */
final class Outcomes {

    private static final Logger LOG = LoggerFactory.getLogger(Outcomes.class);

    private Outcomes() {
    }

    /** Done → {@code ok}; refused → 404 {@code not_found}, 409 {@code conflict} or 422 {@code invalid}. */
    static <T> AdminResponse of(OpResult<T> result, Function<T, AdminResponse> ok) {
        if (result instanceof OpResult.Ok<T> done) {
            return ok.apply(done.value());
        }
        OpResult.Refused<T> refused = (OpResult.Refused<T>) result;
        return switch (refused.refusal()) {
            case NOT_FOUND -> AdminResponse.error(404, "not_found", refused.message());
            case CONFLICT -> AdminResponse.error(409, "conflict", refused.message());
            case INVALID -> AdminResponse.error(422, "invalid", refused.message());
        };
    }

    /** A failed stage or a refused translation: 400/404/422 as thrown, 503 when the store is unreachable, else 500. */
    static AdminResponse failure(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof AdminException refused) {
            return AdminResponse.error(refused.status(), refused.code(), refused.getMessage());
        }
        if (cause instanceof StoreUnavailableException || cause instanceof TimeoutException) {
            LOG.warn("admin call failed: quota store unavailable: {}", cause.toString());
            return AdminResponse.error(503, "store_unavailable",
                    "The quota store is unavailable; whether the operation applied is unknown. Retry it: "
                            + "grants are idempotent by order id.").withHeader("Retry-After", "1");
        }
        LOG.error("admin call failed", cause);
        return AdminResponse.error(500, "internal_error", "Internal error: " + cause.getClass().getSimpleName());
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
