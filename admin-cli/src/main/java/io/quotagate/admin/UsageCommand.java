package io.quotagate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code usage ID [--group G] [--from D] [--to D]}. */
@Command(name = "usage", description = {"Daily usage of a tenant (UTC days; default: the last 30).",
    "Calls admitted, charged (of which from the free pack), refunded, and rejections by code."})
final class UsageCommand extends Leaf {

    @Parameters(paramLabel = "ID", description = "Tenant id.")
    String id;

    @Option(names = "--group", paramLabel = "G", description = "Only this interface group.")
    String group;

    @Option(names = "--from", paramLabel = "D", description = "First day, e.g. 2026-01-01.")
    String from;

    @Option(names = "--to", paramLabel = "D", description = "Last day (included), e.g. 2026-01-31.")
    String to;

    @Override
    void run() {
        StringBuilder query = new StringBuilder();
        append(query, "group", group);
        append(query, "from", date("--from", from));
        append(query, "to", date("--to", to));
        JsonNode usage = client().get("/v1/tenants/" + seg(id) + "/usage" + query);
        print(usage, () -> {
            out().line("Usage of " + id + " from " + Output.text(usage, "from") + " to " + Output.text(usage, "to") + ":");
            List<List<String>> rows = new ArrayList<>();
            usage.path("days").forEach(d -> rows.add(row(Output.text(d, "date"), Output.text(d, "group"), d)));
            for (Map.Entry<String, JsonNode> total : TenantText.iterable(usage.path("totals"))) {
                rows.add(row("total", total.getKey(), total.getValue()));
            }
            out().table(List.of("DATE", "GROUP", "ADMITTED", "CHARGED", "FROM_FREE", "REFUNDED", "REJECTED"), rows,
                    "No usage.");
        });
    }

    private static List<String> row(String date, String group, JsonNode d) {
        List<String> rejected = new ArrayList<>();
        for (Map.Entry<String, JsonNode> code : TenantText.iterable(d.path("rejected"))) {
            rejected.add(code.getKey() + "=" + code.getValue().asText());
        }
        return List.of(date, group, Output.text(d, "admitted"), Output.text(d, "charged"),
                Output.text(d, "charged_free"), Output.text(d, "refunded"),
                rejected.isEmpty() ? "-" : String.join(",", rejected));
    }

    private String date(String option, String value) {
        if (value == null) {
            return null;
        }
        try {
            return LocalDate.parse(value).toString();
        } catch (DateTimeParseException e) {
            throw usage(option + " must be a date like 2026-01-31, not " + value);
        }
    }

    private static void append(StringBuilder query, String name, String value) {
        if (value != null) {
            query.append(query.length() == 0 ? '?' : '&').append(name).append('=').append(AdminClient.segment(value));
        }
    }
}
