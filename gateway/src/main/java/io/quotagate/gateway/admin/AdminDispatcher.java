package io.quotagate.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The admin API without the network: authenticates a call, routes it, parses its JSON body and turns every
 * refusal or failure into an error body. {@link AdminHandler} feeds it decoded requests; tests can call it directly.
 */
public final class AdminDispatcher {

    private final AdminAuth auth;
    private final AdminRouter router;

    /** @param auth null for the status listener, whose endpoints need no token */
    AdminDispatcher(AdminAuth auth, AdminRouter router) {
        this.auth = auth;
        this.router = router;
    }

    /**
     * @param path          the decoded path, without the query
     * @param authorization the {@code Authorization} header, or null
     * @param body          the request body (empty for none)
     */
    public CompletionStage<AdminResponse> dispatch(String method, String path, Map<String, List<String>> query,
                                                   String authorization, byte[] body) {
        boolean open = auth == null || "GET".equals(method) && SystemEndpoints.PUBLIC_PATHS.contains(path);
        if (!open) {
            // Before routing: a caller without the token learns nothing, not even which paths exist.
            Optional<String> refusal = auth.refusal(authorization);
            if (refusal.isPresent()) {
                return done(AdminResponse.error(401, "unauthorized", refusal.get())
                        .withHeader("WWW-Authenticate", "Bearer realm=\"quotagate-admin\""));
            }
        }
        AdminRouter.Match match = router.match(method, path);
        if (match instanceof AdminRouter.MethodNotAllowed notAllowed) {
            return done(AdminResponse.error(405, "method_not_allowed", method + " is not allowed on " + path)
                    .withHeader("Allow", String.join(", ", notAllowed.allowed())));
        }
        if (!(match instanceof AdminRouter.Found found)) {
            return done(AdminResponse.error(404, "not_found", "no admin endpoint " + method + " " + path));
        }
        try {
            JsonNode json = body.length == 0 ? null : AdminJson.parse(body);
            AdminRequest request = new AdminRequest(method, path, found.params(), query, json);
            return found.endpoint().handle(request).exceptionally(Outcomes::failure);
        } catch (RuntimeException e) {
            return done(Outcomes.failure(e));
        }
    }

    private static CompletionStage<AdminResponse> done(AdminResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
