package io.quotagate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code template grant ID GROUP --slots N --order ORDER}. */
@Command(name = "template", description = "Grant template slots.", subcommands = TemplateCommands.Grant.class)
final class TemplateCommands extends Group {

    @Command(name = "grant", description = "Add template slots (they never expire).")
    static final class Grant extends Leaf {
        @Parameters(index = "0", paramLabel = "ID", description = "Tenant id.")
        String id;

        @Parameters(index = "1", paramLabel = "GROUP", description = "Interface group.")
        String group;

        @Option(names = "--slots", required = true, paramLabel = "N", description = "Slots added.")
        long slots;

        @Option(names = "--order", required = true, paramLabel = "ORDER", description = "Order id (idempotency key).")
        String order;

        @Override
        void run() {
            positive("--slots", slots);
            JsonNode sale = client().post("/v1/tenants/" + seg(id) + "/groups/" + seg(group) + "/templates",
                    AdminClient.JSON.createObjectNode().put("slots", slots).put("order_id", order));
            print(sale, () -> {
                JsonNode t = sale.path("templates");
                out().line("Granted " + slots + " template slots to " + id + "/" + group + " (quota "
                        + Output.text(t, "quota") + ", used " + Output.text(t, "used") + "), order " + order
                        + ", price " + Sales.price(sale) + ".");
            });
        }
    }
}
