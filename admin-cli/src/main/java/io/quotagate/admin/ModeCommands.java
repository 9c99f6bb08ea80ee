package io.quotagate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mode set ID GROUP count|qps}. */
@Command(name = "mode", description = "Set a tenant's billing mode for a group.", subcommands = ModeCommands.Set.class)
final class ModeCommands extends Group {

    @Command(name = "set", description = "Set the billing mode: count (calls charged to packs) or qps (bought QPS).")
    static final class Set extends Leaf {
        @Parameters(index = "0", paramLabel = "ID", description = "Tenant id.")
        String id;

        @Parameters(index = "1", paramLabel = "GROUP", description = "Interface group, e.g. portrait.")
        String group;

        @Parameters(index = "2", paramLabel = "MODE", description = "count or qps.")
        String mode;

        @Override
        void run() {
            if (!mode.equals("count") && !mode.equals("qps")) {
                throw usage("MODE must be count or qps, not " + mode);
            }
            JsonNode tenant = client().put("/v1/tenants/" + seg(id) + "/groups/" + seg(group) + "/mode",
                    AdminClient.JSON.createObjectNode().put("mode", mode));
            print(tenant, () -> {
                JsonNode g = tenant.path("groups").path(group);
                out().line(id + " " + group + ": mode " + Output.text(g, "mode") + ", QPS limit now "
                        + Output.text(g, "qps_limit") + ".");
            });
        }
    }
}
