package io.quotagate.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Prints results: one line of JSON per result for scripts ({@code --json}), aligned tables and sentences for people. */
final class Output {

    private final PrintWriter out;

    Output(PrintWriter out) {
        this.out = out;
    }

    /** One line of JSON: what {@code --json} prints, easy to pipe into {@code jq} or {@code sed}. */
    void json(JsonNode node) {
        write(node, false);
    }

    /** Indented JSON, for people reading a document (the config in force). */
    void prettyJson(JsonNode node) {
        write(node, true);
    }

    private void write(JsonNode node, boolean pretty) {
        try {
            out.println(pretty ? AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node)
                    : AdminClient.JSON.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
        out.flush();
    }

    void line(String text) {
        out.println(text);
        out.flush();
    }

    /** Columns padded to their widest cell; an empty table prints {@code empty} instead. */
    void table(List<String> headers, List<List<String>> rows, String empty) {
        if (rows.isEmpty()) {
            line(empty);
            return;
        }
        int[] widths = new int[headers.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], cell(row, i).length());
            }
        }
        for (List<String> row : all) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                String cell = cell(row, i);
                text.append(cell);
                if (i < widths.length - 1) {
                    text.append(" ".repeat(widths[i] - cell.length() + 2));
                }
            }
            out.println(text.toString().stripTrailing());
        }
        out.flush();
    }

    /** A field as text: {@code -} for null or missing. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? "-" : value.asText();
    }

    private static String cell(List<String> row, int i) {
        return i < row.size() && row.get(i) != null ? row.get(i) : "";
    }
}
