package io.quotagate.gateway.admission;

import io.quotagate.gateway.route.RouteMatch;
import io.quotagate.gateway.route.RouteTable;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The foundation's admission: a request passes when its method and path match a route, with no tenant, no
 * charge and nothing to settle; anything else is {@link RejectionCode#ROUTE_NOT_FOUND}. The route table is read
 * through a supplier on every request so a config reload takes effect for the next one.
 */
public final class RouteOnlyAdmission implements Admission {

    private static final CompletableFuture<Decision> NOT_FOUND =
            CompletableFuture.completedFuture(Decision.Rejected.of(RejectionCode.ROUTE_NOT_FOUND));

    private final Supplier<RouteTable> routes;

    public RouteOnlyAdmission(Supplier<RouteTable> routes) {
        this.routes = Objects.requireNonNull(routes, "routes");
    }

    @Override
    public CompletionStage<Decision> admit(AdmissionRequest request) {
        Optional<RouteMatch> match = routes.get().match(request.method(), request.path());
        if (match.isEmpty()) {
            return NOT_FOUND;
        }
        return CompletableFuture.completedFuture(new Decision.Admitted(match.get(), null, null, null, false, 0));
    }

    @Override
    public int settle(Decision.Admitted admitted, UpstreamOutcome outcome) {
        return 0; // nothing was charged, so there is nothing to settle
    }
}
