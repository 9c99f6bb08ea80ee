package io.quotagate.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.route.RouteTable;
import io.quotagate.gateway.testkit.TestConfigs;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RouteOnlyAdmissionTest {

    @Test
    void admitsRoutedRequestsWithoutTenantAndRejectsTheRest() {
        RouteTable routes = RouteTable.of(TestConfigs.builder().withoutTestRoutes().build());
        RouteOnlyAdmission admission = new RouteOnlyAdmission(() -> routes);
        Decision ok = admission.admit(new AdmissionRequest("GET", "/v1/portrait/tasks/7", null)).toCompletableFuture().join();
        assertThat(ok).isInstanceOfSatisfying(Decision.Admitted.class, a -> {
            assertThat(a.tenantId()).isNull();
            assertThat(a.needsSettlement()).isFalse();
            assertThat(a.route().route().match()).isEqualTo("GET /v1/portrait/tasks/{id}");
        });
        Decision no = admission.admit(new AdmissionRequest("GET", "/v1/portrait/generate", "k")).toCompletableFuture().join();
        assertThat(no).isInstanceOfSatisfying(Decision.Rejected.class, r -> assertThat(r.code()).isEqualTo(RejectionCode.ROUTE_NOT_FOUND));
    }

    @Test
    void readsTheCurrentRouteTableOnEveryRequest() {
        AtomicReference<RouteTable> current = new AtomicReference<>(RouteTable.of(TestConfigs.builder().withoutTestRoutes().build()));
        RouteOnlyAdmission admission = new RouteOnlyAdmission(current::get);
        AdmissionRequest test = new AdmissionRequest("GET", "/test/x", null);
        assertThat(admission.admit(test).toCompletableFuture().join()).isInstanceOf(Decision.Rejected.class);
        current.set(RouteTable.of(TestConfigs.builder().build()));
        assertThat(admission.admit(test).toCompletableFuture().join()).isInstanceOf(Decision.Admitted.class);
    }
}
