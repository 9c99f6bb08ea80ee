package io.quotagate.gateway.admin;

/**
 * A request the admin API refuses while translating it, before any service decides: malformed JSON, a missing or
 * malformed field, an unknown path. Thrown by {@link AdminRequest}'s accessors and caught in one place
 * ({@link AdminDispatcher}), which answers {@code {"error":{"code","message"}}} with {@link #status()}.
 */
final class AdminException extends RuntimeException {

    private final int status;
    private final String code;

    AdminException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    static AdminException badRequest(String message) {
        return new AdminException(400, "bad_request", message);
    }

    static AdminException notFound(String message) {
        return new AdminException(404, "not_found", message);
    }

    static AdminException invalid(String message) {
        return new AdminException(422, "invalid", message);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}
