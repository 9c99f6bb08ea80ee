package io.quotagate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ledger ID}. */
@Command(name = "ledger", description = "A tenant's ledger: every change to what it has, with prices.")
final class LedgerCommand extends Leaf {

    @Parameters(paramLabel = "ID", description = "Tenant id.")
    String id;

    @Override
    void run() {
        JsonNode ledger = client().get("/v1/tenants/" + seg(id) + "/ledger");
        print(ledger, () -> {
            List<List<String>> rows = new ArrayList<>();
            ledger.path("entries").forEach(e -> rows.add(List.of(Output.text(e, "at"), Output.text(e, "kind"),
                    Output.text(e, "group"), Output.text(e, "order_id"),
                    e.path("price").isNull() || e.path("price").isMissingNode() ? "-" : Sales.price(e),
                    Output.text(e, "detail"))));
            out().table(List.of("AT", "KIND", "GROUP", "ORDER", "PRICE", "DETAIL"), rows, "No entries.");
        });
    }
}
