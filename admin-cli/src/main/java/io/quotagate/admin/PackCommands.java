package io.quotagate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pack grant ID GROUP --calls N --order ORDER}. */
@Command(name = "pack", description = "Grant call packs.", subcommands = PackCommands.Grant.class)
final class PackCommands extends Group {

    @Command(name = "grant", description = {"Grant a paid pack of calls, valid for defaults.pack_validity.",
        "Repeating an order with the same values changes nothing; other values under the same order are refused."})
    static final class Grant extends Leaf {
        @Parameters(index = "0", paramLabel = "ID", description = "Tenant id.")
        String id;

        @Parameters(index = "1", paramLabel = "GROUP", description = "Interface group.")
        String group;

        @Option(names = "--calls", required = true, paramLabel = "N", description = "Calls in the pack.")
        long calls;

        @Option(names = "--order", required = true, paramLabel = "ORDER", description = "Order id (idempotency key).")
        String order;

        @Override
        void run() {
            positive("--calls", calls);
            JsonNode sale = client().post("/v1/tenants/" + seg(id) + "/groups/" + seg(group) + "/packs",
                    AdminClient.JSON.createObjectNode().put("calls", calls).put("order_id", order));
            print(sale, () -> {
                JsonNode lot = sale.path("lot");
                out().line("Granted " + Output.text(lot, "calls") + " calls to " + id + "/" + group + " (lot "
                        + Output.text(lot, "id") + ", expires " + Output.text(lot, "expires_at") + "), order " + order
                        + ", price " + Sales.price(sale) + ".");
            });
        }
    }
}
