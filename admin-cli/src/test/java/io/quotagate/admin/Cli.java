package io.quotagate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/** Runs {@code quotagate-admin} in-process, as picocli's {@code execute} does for the jar, capturing its output. */
final class Cli {

    /** What one run printed and its exit code. */
    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return AdminClient.JSON.readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + out, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private final Map<String, String> env;

    Cli(Map<String, String> env) {
        this.env = env;
    }

    /** Pointing at {@code url} with {@code token}, through the environment as an operator would set them. */
    static Cli at(String url, String token) {
        return new Cli(token == null ? Map.of(AdminCommand.URL_ENV, url)
                : Map.of(AdminCommand.URL_ENV, url, AdminCommand.TOKEN_ENV, token));
    }

    static Cli offline() {
        return new Cli(Map.of());
    }

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = AdminMain.commandLine(env, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
