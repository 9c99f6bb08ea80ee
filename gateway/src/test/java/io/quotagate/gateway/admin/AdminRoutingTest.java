package io.quotagate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The router's matching and the token check, without a network. */
class AdminRoutingTest {

    private static final AdminRouter.Endpoint NONE = r -> CompletableFuture.completedFuture(null);

    @Test
    void bindsPathParametersAndPrefersTheFirstMatchingRoute() {
        AdminRouter router = new AdminRouter().add("GET", "/v1/tenants/{id}", NONE)
                .add("DELETE", "/v1/tenants/{id}/keys/{keyId}", NONE);
        AdminRouter.Match match = router.match("DELETE", "/v1/tenants/acme/keys/k_1");
        assertThat(match).isInstanceOf(AdminRouter.Found.class);
        assertThat(((AdminRouter.Found) match).params()).isEqualTo(Map.of("id", "acme", "keyId", "k_1"));
        assertThat(((AdminRouter.Found) router.match("GET", "/v1/tenants/acme/")).params()).containsEntry("id", "acme");
    }

    @Test
    void anotherMethodOnAKnownPathIs405WithTheAllowedMethods() {
        AdminRouter router = new AdminRouter().add("GET", "/v1/tenants", NONE).add("POST", "/v1/tenants", NONE);
        assertThat(router.match("DELETE", "/v1/tenants"))
                .isEqualTo(new AdminRouter.MethodNotAllowed(new java.util.TreeSet<>(java.util.List.of("GET", "POST"))));
        assertThat(router.match("GET", "/v1/tenant")).isInstanceOf(AdminRouter.NotFound.class);
        assertThat(router.match("GET", "/v1/tenants//x")).isInstanceOf(AdminRouter.NotFound.class);
    }

    @Test
    void theTokenMustMatchExactlyAndTenantKeysNeverWork() {
        AdminAuth auth = new AdminAuth("s3cret-admin-token");
        assertThat(auth.refusal("Bearer s3cret-admin-token")).isEmpty();
        assertThat(auth.refusal("bearer s3cret-admin-token")).isEmpty();
        assertThat(auth.refusal("Bearer s3cret-admin-tokeN")).contains("the admin token is not valid");
        assertThat(auth.refusal("Bearer s3cret")).contains("the admin token is not valid");
        assertThat(auth.refusal(null)).get().asString().contains("Authorization: Bearer");
        assertThat(auth.refusal("Basic czNjcmV0")).get().asString().contains("Authorization: Bearer");
        assertThat(auth.refusal("Bearer qg_acme.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
                .contains("tenant API keys are not accepted on the admin port: use the admin token");
        // Even a token that looks like a tenant key is refused: the admin port never takes tenant keys.
        assertThat(new AdminAuth("qg_admin").refusal("Bearer qg_admin")).isNotEqualTo(Optional.empty());
    }

    @Test
    void anEmptyTokenRefusesToBuildTheCheck() {
        assertThatThrownBy(() -> new AdminAuth("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("admin.token is empty");
        assertThatThrownBy(() -> new AdminAuth(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AdminAuth("   ")).isInstanceOf(IllegalArgumentException.class);
    }
}
