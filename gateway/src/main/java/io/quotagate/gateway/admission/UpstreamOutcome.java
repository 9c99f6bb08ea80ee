package io.quotagate.gateway.admission;

/**
 * How the upstream exchange of an admitted request ended.
 *
 * @param status the upstream's status, or 0 when none arrived
 */
public record UpstreamOutcome(Kind kind, int status) {

    public enum Kind { RESPONDED, TRANSPORT_ERROR, TIMEOUT, CLIENT_ABORTED_BEFORE_SEND }

    public static UpstreamOutcome responded(int status) {
        return new UpstreamOutcome(Kind.RESPONDED, status);
    }

    public static final UpstreamOutcome TRANSPORT_ERROR = new UpstreamOutcome(Kind.TRANSPORT_ERROR, 0);
    public static final UpstreamOutcome TIMEOUT = new UpstreamOutcome(Kind.TIMEOUT, 0);
    /** The client went away before any byte reached the upstream: nothing was consumed. */
    public static final UpstreamOutcome NOT_SENT = new UpstreamOutcome(Kind.CLIENT_ABORTED_BEFORE_SEND, 0);
}
