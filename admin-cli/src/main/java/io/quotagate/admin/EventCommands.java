package io.quotagate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code events list [--limit N]} and {@code events replay ID}: billing events for ops (docs/billing-events.md). */
@Command(name = "events", description = "Billing events sent to the webhook: list them, send one again.",
        subcommands = {EventCommands.ListEvents.class, EventCommands.Replay.class})
final class EventCommands extends Group {

    @Command(name = "list", description = "The latest billing events, newest first, with their delivery status.")
    static final class ListEvents extends Leaf {
        @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "How many (default 50, at most 1000).")
        int limit;

        @Override
        void run() {
            if (limit < 1) {
                throw usage("--limit must be >= 1, not " + limit);
            }
            JsonNode events = client().get("/v1/events?limit=" + limit);
            print(events, () -> {
                List<List<String>> rows = new ArrayList<>();
                events.path("events").forEach(e -> rows.add(row(e)));
                out().table(List.of("ID", "TYPE", "TENANT", "GROUP", "OCCURRED", "STATUS", "ATTEMPTS", "LAST_ERROR"),
                        rows, "No events.");
            });
        }
    }

    @Command(name = "replay", description = "Queue an event for delivery again, with the same id (receivers deduplicate).")
    static final class Replay extends Leaf {
        @Parameters(paramLabel = "ID", description = "Event id, as listed.")
        String id;

        @Override
        void run() {
            JsonNode event = client().post("/v1/events/" + seg(id) + "/replay", AdminClient.JSON.createObjectNode());
            print(event, () -> out().line("Event " + id + " queued for delivery (status "
                    + Output.text(event, "status") + ")."));
        }
    }

    private static List<String> row(JsonNode e) {
        JsonNode event = e.path("event");
        return List.of(Output.text(event, "id"), Output.text(event, "type"), Output.text(event, "tenant"),
                Output.text(event, "group"), Output.text(event, "occurred_at"), Output.text(e, "status"),
                Output.text(e, "attempts"), Output.text(e, "last_error"));
    }
}
