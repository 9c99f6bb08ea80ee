package io.quotagate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qps buy ID GROUP --qps N (--days D | --months M) --order ORDER [--start ISO-8601]}. */
@Command(name = "qps", description = "Sell QPS.", subcommands = QpsCommands.Buy.class)
final class QpsCommands extends Group {

    @Command(name = "buy", description = {"Record a QPS purchase, by the day or by the calendar month (UTC).",
        "Refused when the active QPS of the group would exceed max_qps at any instant of the purchase."})
    static final class Buy extends Leaf {
        @Parameters(index = "0", paramLabel = "ID", description = "Tenant id.")
        String id;

        @Parameters(index = "1", paramLabel = "GROUP", description = "Interface group.")
        String group;

        @Option(names = "--qps", required = true, paramLabel = "N", description = "QPS bought.")
        long qps;

        @Option(names = "--days", paramLabel = "D", description = "Term in days.")
        Long days;

        @Option(names = "--months", paramLabel = "M", description = "Term in calendar months.")
        Long months;

        @Option(names = "--order", required = true, paramLabel = "ORDER", description = "Order id (idempotency key).")
        String order;

        @Option(names = "--start", paramLabel = "ISO-8601",
                description = "Start, e.g. 2026-01-01T00:00:00Z or 2026-01-01 (UTC midnight); default now.")
        String start;

        @Override
        void run() {
            positive("--qps", qps);
            Sales.checkTerm(this, days, months);
            ObjectNode body = AdminClient.JSON.createObjectNode().put("qps", qps).put("order_id", order);
            if (days != null) {
                body.put("days", days);
            } else {
                body.put("months", months);
            }
            if (start != null) {
                checkStart(start);
                body.put("start", start);
            }
            JsonNode sale = client().post("/v1/tenants/" + seg(id) + "/groups/" + seg(group) + "/qps", body);
            print(sale, () -> {
                JsonNode p = sale.path("purchase");
                out().line("Bought " + Output.text(p, "qps") + " QPS for " + id + "/" + group + " from "
                        + Output.text(p, "starts_at") + " to " + Output.text(p, "ends_at") + " (purchase "
                        + Output.text(p, "id") + "), order " + order + ", price " + Sales.price(sale) + ".");
            });
        }

        private void checkStart(String value) {
            try {
                if (value.length() == 10) {
                    LocalDate.parse(value);
                } else {
                    Instant.from(OffsetDateTime.parse(value));
                }
            } catch (DateTimeParseException e) {
                throw usage("--start must be ISO-8601, e.g. 2026-01-01T00:00:00Z, not " + value);
            }
        }
    }
}
