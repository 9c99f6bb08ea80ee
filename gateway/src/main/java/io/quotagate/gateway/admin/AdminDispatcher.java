package io.quotagate.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API without the network: lets the {@link AdminGuard} refuse a caller, routes the call, parses its JSON
 * body, turns every refusal or failure into an error body, and writes each {@link AdminOperation} to the
 * {@link AuditLog}, refused attempts included. {@link AdminHandler} feeds it decoded requests; tests can call it
 * directly.
 */
public final class AdminDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(AdminDispatcher.class);

    private final AdminGuard guard;
    private final AdminRouter router;
    private final AuditLog audit;
    private final InstantSource clock;

    /**
     * @param guard null for the status listener, whose endpoints need no token
     * @param audit null for the status listener, whose endpoints change nothing
     */
    AdminDispatcher(AdminGuard guard, AdminRouter router, AuditLog audit, InstantSource clock) {
        this.guard = guard;
        this.router = router;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * @param client        the peer's address
     * @param path          the decoded path, without the query
     * @param authorization the {@code Authorization} header, or null
     * @param body          the request body (empty for none)
     */
    public CompletionStage<AdminResponse> dispatch(InetAddress client, String method, String path,
                                                   Map<String, List<String>> query, String authorization, byte[] body) {
        Instant at = clock.instant();
        boolean open = guard == null || "GET".equals(method) && SystemEndpoints.PUBLIC_PATHS.contains(path);
        AdminRouter.Match match = router.match(method, path);
        if (!open) {
            // Refused before any answer that depends on the path: a caller without the token learns nothing, not even
            // which paths exist (the match above only names the operation in the audit line).
            Optional<AdminResponse> refusal = guard.refusal(client, authorization);
            if (refusal.isPresent()) {
                if (match instanceof AdminRouter.Found found && found.operation() != null) {
                    audit.recordRefused(AuditEntry.refused(at, client.getHostAddress(), found.operation(),
                            found.params(), refusal.get()));
                }
                return done(refusal.get());
            }
        }
        if (match instanceof AdminRouter.MethodNotAllowed notAllowed) {
            return done(AdminResponse.error(405, "method_not_allowed", method + " is not allowed on " + path)
                    .withHeader("Allow", String.join(", ", notAllowed.allowed())));
        }
        if (!(match instanceof AdminRouter.Found found)) {
            return done(AdminResponse.error(404, "not_found", "no admin endpoint " + method + " " + path));
        }
        JsonNode json = null;
        CompletionStage<AdminResponse> answer;
        try {
            json = body.length == 0 ? null : AdminJson.parse(body);
            AdminRequest request = new AdminRequest(method, path, found.params(), query, json);
            answer = found.endpoint().handle(request).exceptionally(Outcomes::failure);
        } catch (RuntimeException e) {
            answer = done(Outcomes.failure(e));
        }
        if (found.operation() == null) {
            return answer;
        }
        JsonNode parsed = json;
        return answer.thenApply(response -> {
            try {
                audit.record(AuditEntry.completed(at, client.getHostAddress(), found.operation(), found.params(), parsed,
                        response));
            } catch (RuntimeException e) {
                // The call has happened: its answer must reach the caller whatever became of its audit line.
                LOG.error("audit entry of {} failed", found.operation().wire(), e);
            }
            return response;
        });
    }

    private static CompletionStage<AdminResponse> done(AdminResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
