package io.quotagate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code key create|list|revoke}. */
@Command(name = "key", description = "Create, list and revoke a tenant's API keys.",
        subcommands = {KeyCommands.Create.class, KeyCommands.ListAll.class, KeyCommands.Revoke.class})
final class KeyCommands extends Group {

    @Command(name = "create", description = "Create an API key for a tenant and print it (once).")
    static final class Create extends Leaf {
        @Parameters(paramLabel = "ID", description = "Tenant id.")
        String id;

        @Override
        void run() {
            JsonNode key = client().post("/v1/tenants/" + seg(id) + "/keys", null);
            if (json()) {
                out().json(AdminClient.JSON.createObjectNode().put("key_id", key.path("key_id").asText())
                        .put("api_key", key.path("api_key").asText()));
                return;
            }
            out().line("API key " + key.path("key_id").asText() + " for " + id + " (shown once, store it now):");
            out().line(key.path("api_key").asText());
        }
    }

    @Command(name = "list", description = "List a tenant's keys (ids and dates; keys themselves are never stored).")
    static final class ListAll extends Leaf {
        @Parameters(paramLabel = "ID", description = "Tenant id.")
        String id;

        @Override
        void run() {
            JsonNode answer = client().get("/v1/tenants/" + seg(id) + "/keys");
            print(answer, () -> {
                List<List<String>> rows = new ArrayList<>();
                answer.path("keys").forEach(k -> rows.add(List.of(Output.text(k, "key_id"),
                        k.path("active").asBoolean() ? "active" : "revoked", Output.text(k, "created_at"),
                        Output.text(k, "revoked_at"))));
                out().table(List.of("KEY_ID", "STATUS", "CREATED", "REVOKED"), rows, "No keys.");
            });
        }
    }

    @Command(name = "revoke", description = "Revoke a key: it stops working at once.")
    static final class Revoke extends Leaf {
        @Parameters(index = "0", paramLabel = "ID", description = "Tenant id.")
        String id;

        @Parameters(index = "1", paramLabel = "KEY_ID", description = "Key id, as key list shows it.")
        String keyId;

        @Override
        void run() {
            JsonNode key = client().delete("/v1/tenants/" + seg(id) + "/keys/" + seg(keyId));
            print(key, () -> out().line("Key " + keyId + " of " + id + " revoked at " + Output.text(key, "revoked_at") + "."));
        }
    }
}
