package io.quotagate.gateway.proxy;

import io.quotagate.gateway.admission.RejectionCode;

/**
 * The cause put into a failed {@code decoderResult()} by the proxy's own checks ({@link RequestHeadParser},
 * {@link BodyLimitHandler}, {@link StrictRequestDecoder}), so that every refused request travels the same path
 * as the decoder's own failures and is answered, in order, by {@link FrontendHandler}. Stackless: it is an
 * expected outcome, not a bug.
 */
public final class RejectedRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient RejectionCode code;

    public RejectedRequestException(RejectionCode code, String reason) {
        super(reason, null, false, false);
        this.code = code;
    }

    public RejectionCode code() {
        return code;
    }
}
