package io.quotagate.gateway.admission;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Decides whether one request may pass, and settles it after the upstream answered. The proxy translates
 * HTTP into {@link AdmissionRequest} and a {@link Decision} back into HTTP; every rule lives behind this.
 */
public interface Admission {

    /**
     * Never completes exceptionally: store failures become a {@link Decision.Rejected} or, where the group
     * fails open, an uncharged {@link Decision.Admitted}. May complete on any thread.
     */
    CompletionStage<Decision> admit(AdmissionRequest request);

    /**
     * The same, called on the event loop {@code loop} that handles the request, which an implementation may use to
     * gather the requests of one loop pass into one store call (and to complete the decision there).
     */
    default CompletionStage<Decision> admit(AdmissionRequest request, Executor loop) {
        return admit(request);
    }

    /**
     * Called exactly once for every admitted request, when its upstream exchange ended. Never blocks.
     *
     * @return the calls refunded (rule 9), 0 when none: the access log writes it
     */
    int settle(Decision.Admitted admitted, UpstreamOutcome outcome);
}
