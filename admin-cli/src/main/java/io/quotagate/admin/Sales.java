package io.quotagate.admin;

import com.fasterxml.jackson.databind.JsonNode;

/** Shared wording of sales and quotes. */
final class Sales {

    private Sales() {
    }

    /** {@code 400 CNY}, or {@code none (off catalog)}. */
    static String price(JsonNode sale) {
        JsonNode price = sale.path("price");
        return price.isNull() || price.isMissingNode() ? "none (off catalog)"
                : price.asText() + " " + Output.text(sale, "currency");
    }

    /** Exactly one of --days and --months. */
    static void checkTerm(Leaf command, Long days, Long months) {
        if ((days == null) == (months == null)) {
            throw command.usage("exactly one of --days and --months is required");
        }
        if (days != null) {
            command.positive("--days", days);
        } else {
            command.positive("--months", months);
        }
    }
}
