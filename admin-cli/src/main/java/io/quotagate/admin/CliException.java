package io.quotagate.admin;

/**
 * Why a command did not complete, with its exit code: 1 refused (by the gateway, or an invalid config file),
 * 2 bad usage, 3 gateway unreachable. {@link AdminMain} prints the message and exits with the code.
 */
final class CliException extends RuntimeException {

    static final int REFUSED = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;

    private final int exitCode;
    private final int httpStatus;

    private CliException(int exitCode, int httpStatus, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
        this.httpStatus = httpStatus;
    }

    static CliException refused(int httpStatus, String message) {
        return new CliException(REFUSED, httpStatus, message);
    }

    static CliException failed(String message) {
        return new CliException(REFUSED, 0, message);
    }

    static CliException usage(String message) {
        return new CliException(USAGE, 0, message);
    }

    static CliException unreachable(String message) {
        return new CliException(UNREACHABLE, 0, message);
    }

    int exitCode() {
        return exitCode;
    }

    /** The gateway's HTTP status, or 0 when there was no answer. */
    int httpStatus() {
        return httpStatus;
    }
}
