package io.quotagate.gateway.events;

import io.quotagate.gateway.admission.Admission;
import io.quotagate.gateway.admission.AdmissionRequest;
import io.quotagate.gateway.admission.Decision;
import io.quotagate.gateway.admission.UpstreamOutcome;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Admission with threshold events: passes every decision through unchanged and tells {@link BillingEvents} about
 * each charge (calls remaining before and after), which is all a crossing needs. A decorator, so the admission
 * service and the store know nothing of events.
 */
public final class EventingAdmission implements Admission {

    private final Admission delegate;
    private final BillingEvents events;

    public EventingAdmission(Admission delegate, BillingEvents events) {
        this.delegate = delegate;
        this.events = events;
    }

    @Override
    public CompletionStage<Decision> admit(AdmissionRequest request) {
        return observed(delegate.admit(request));
    }

    /** Keeps the loop, so the delegate can still coalesce the admits of one event loop pass. */
    @Override
    public CompletionStage<Decision> admit(AdmissionRequest request, Executor loop) {
        return observed(delegate.admit(request, loop));
    }

    private CompletionStage<Decision> observed(CompletionStage<Decision> decision) {
        CompletableFuture<Decision> f = decision.toCompletableFuture();
        if (f.isDone() && !f.isCompletedExceptionally()) {
            observe(f.getNow(null)); // the memory store: no continuation needed
            return decision;
        }
        return decision.thenApply(d -> {
            observe(d);
            return d;
        });
    }

    private void observe(Decision decision) {
        if (decision instanceof Decision.Admitted a && a.charged() > 0 && a.rateLimit() != null
                && a.rateLimit().callsRemaining() >= 0) {
            long after = a.rateLimit().callsRemaining();
            events.charged(a.tenantId(), a.route().group().name(), after + a.charged(), after);
        }
    }

    @Override
    public int settle(Decision.Admitted admitted, UpstreamOutcome outcome) {
        return delegate.settle(admitted, outcome);
    }
}
