package io.quotagate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quote pack N}, {@code quote qps N (--days D | --months M)}, {@code quote template N}. */
@Command(name = "quote", description = "Price offers from the gateway's catalog.",
        subcommands = {QuoteCommands.Pack.class, QuoteCommands.Qps.class, QuoteCommands.Template.class})
final class QuoteCommands extends Group {

    @Command(name = "pack", description = "Price of a pack of N calls (a size from the catalog).")
    static final class Pack extends Leaf {
        @Parameters(paramLabel = "N", description = "Calls in the pack.")
        long calls;

        @Override
        void run() {
            positive("N", calls);
            JsonNode quote = client().get("/v1/quotes/pack?calls=" + calls);
            print(quote, () -> out().line(calls + "-call pack: " + Sales.price(quote)));
        }
    }

    @Command(name = "qps", description = "Price of N QPS for D days or M calendar months (volume tier of N).")
    static final class Qps extends Leaf {
        @Parameters(paramLabel = "N", description = "QPS.")
        long qps;

        @Option(names = "--days", paramLabel = "D", description = "Term in days.")
        Long days;

        @Option(names = "--months", paramLabel = "M", description = "Term in calendar months.")
        Long months;

        @Override
        void run() {
            positive("N", qps);
            Sales.checkTerm(this, days, months);
            String term = days != null ? "days=" + days : "months=" + months;
            JsonNode quote = client().get("/v1/quotes/qps?qps=" + qps + "&" + term);
            print(quote, () -> {
                String unit = days != null ? (days == 1 ? "day" : "days") : (months == 1 ? "month" : "months");
                long amount = days != null ? days : months;
                out().line(qps + " QPS for " + amount + " " + unit + ": " + qps + " × " + amount + " × "
                        + Output.text(quote, "unit_price") + " = " + Sales.price(quote));
            });
        }
    }

    @Command(name = "template", description = "Price of N template slots (a size from the catalog).")
    static final class Template extends Leaf {
        @Parameters(paramLabel = "N", description = "Slots.")
        long slots;

        @Override
        void run() {
            positive("N", slots);
            JsonNode quote = client().get("/v1/quotes/template?slots=" + slots);
            print(quote, () -> out().line(slots + " template slots: " + Sales.price(quote)));
        }
    }
}
