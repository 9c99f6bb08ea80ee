package io.quotagate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tenant create|list|show|suspend|resume}. */
@Command(name = "tenant", description = "Create, list, show, suspend and resume tenants.",
        subcommands = {TenantCommands.Create.class, TenantCommands.ListAll.class, TenantCommands.Show.class,
            TenantCommands.Suspend.class, TenantCommands.Resume.class})
final class TenantCommands extends Group {

    @Command(name = "create", description = "Create a tenant, activate every group, print its first API key (once).")
    static final class Create extends Leaf {
        @Parameters(paramLabel = "ID", description = "Tenant id: [a-z0-9][a-z0-9_-]{0,63}.")
        String id;

        @Option(names = "--name", paramLabel = "NAME", description = "Display name.")
        String name;

        @Override
        void run() {
            var body = AdminClient.JSON.createObjectNode().put("id", id);
            if (name != null) {
                body.put("name", name);
            }
            JsonNode created = client().post("/v1/tenants", body);
            if (json()) {
                out().json(AdminClient.JSON.createObjectNode().put("id", created.path("id").asText())
                        .put("api_key", created.path("api_key").asText()).put("key_id", created.path("key_id").asText()));
                return;
            }
            out().line("Created tenant " + created.path("id").asText() + " (" + created.path("status").asText() + ").");
            out().line("API key " + created.path("key_id").asText() + " (shown once, store it now):");
            out().line(created.path("api_key").asText());
        }
    }

    @Command(name = "list", description = "List tenants; with --low, the tenants low on calls in some group.")
    static final class ListAll extends Leaf {
        @Option(names = "--low", description = "Only active count-mode tenants with fewer usable calls than the "
                + "threshold in a group (metrics.low_calls.threshold, or --threshold).")
        boolean low;

        @Option(names = "--threshold", paramLabel = "N", description = "With --low: fewer than N calls (N >= 1).")
        Long threshold;

        @Override
        void run() {
            if (threshold != null && !low) {
                throw usage("--threshold needs --low");
            }
            if (threshold != null && threshold < 1) {
                throw usage("--threshold: " + threshold + " (expected: >= 1)");
            }
            if (low) {
                listLow();
                return;
            }
            JsonNode answer = client().get("/v1/tenants");
            print(answer, () -> {
                List<List<String>> rows = new ArrayList<>();
                answer.path("tenants").forEach(t -> rows.add(List.of(Output.text(t, "id"), Output.text(t, "status"),
                        Output.text(t, "created_at"), Output.text(t, "name"))));
                out().table(List.of("ID", "STATUS", "CREATED", "NAME"), rows, "No tenants.");
            });
        }

        private void listLow() {
            JsonNode answer = client().get("/v1/tenants?low=true" + (threshold == null ? "" : "&threshold=" + threshold));
            print(answer, () -> {
                List<List<String>> rows = new ArrayList<>();
                answer.path("low").forEach(t -> rows.add(List.of(Output.text(t, "tenant"), Output.text(t, "group"),
                        Output.text(t, "calls_remaining"))));
                out().table(List.of("TENANT", "GROUP", "CALLS LEFT"), rows,
                        "No tenant has fewer than " + answer.path("threshold").asText() + " calls left.");
                if (answer.path("truncated").asBoolean()) {
                    out().line("Only the first " + answer.path("tenants_read").asText()
                            + " tenants were read (metrics.low_calls.max_tenants).");
                }
            });
        }
    }

    @Command(name = "show", description = "Show a tenant: per group its mode, calls left, QPS limit, lots, purchases, templates.")
    static final class Show extends Leaf {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        void run() {
            JsonNode tenant = client().get("/v1/tenants/" + seg(id));
            print(tenant, () -> TenantText.print(out(), tenant));
        }
    }

    @Command(name = "suspend", description = "Suspend a tenant: its keys are refused with tenant_suspended.")
    static final class Suspend extends Leaf {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        void run() {
            JsonNode tenant = client().post("/v1/tenants/" + seg(id) + "/suspend", null);
            print(tenant, () -> out().line("Tenant " + id + " is " + tenant.path("status").asText() + "."));
        }
    }

    @Command(name = "resume", description = "Resume a suspended tenant.")
    static final class Resume extends Leaf {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        void run() {
            JsonNode tenant = client().post("/v1/tenants/" + seg(id) + "/resume", null);
            print(tenant, () -> out().line("Tenant " + id + " is " + tenant.path("status").asText() + "."));
        }
    }
}
