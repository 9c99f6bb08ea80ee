package io.quotagate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.quotagate.gateway.config.ConfigException;
import io.quotagate.gateway.config.ConfigLoader;
import io.quotagate.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code config validate FILE} (offline), {@code config reload}, {@code config show}. */
@Command(name = "config", description = "Validate a config file offline; reload or show the gateway's config.",
        subcommands = {ConfigCommands.Validate.class, ConfigCommands.Reload.class, ConfigCommands.Show.class})
final class ConfigCommands extends Group {

    @Command(name = "validate", description = {"Check a config file offline with the gateway's own validator.",
        "Exit 0 when valid, 1 with FILE:LINE: key.path: problem when not. ${VAR}s come from this environment."})
    static final class Validate extends Leaf {
        @Parameters(paramLabel = "FILE", description = "The YAML file.")
        Path file;

        @Override
        void run() {
            GatewayConfig config;
            try {
                config = ConfigLoader.load(file);
            } catch (ConfigException e) {
                throw CliException.failed(e.getMessage());
            }
            List<String> groups = config.groups().keySet().stream().sorted().toList();
            if (json()) {
                var body = AdminClient.JSON.createObjectNode().put("file", file.toString()).put("valid", true)
                        .put("content_hash", config.contentHash()).put("store", config.store().type().name().toLowerCase());
                ArrayNode names = body.putArray("groups");
                groups.forEach(names::add);
                out().json(body);
                return;
            }
            out().line(file + ": valid (groups: " + String.join(", ", groups) + "; store: "
                    + config.store().type().name().toLowerCase() + "; sha256 " + config.contentHash() + ")");
        }
    }

    @Command(name = "reload", description = "Make the gateway re-read its config file now (an invalid file changes nothing).")
    static final class Reload extends Leaf {
        @Override
        void run() {
            JsonNode result = client().post("/v1/config/reload", null);
            print(result, () -> {
                if ("applied".equals(result.path("result").asText())) {
                    out().line("Config reloaded: " + Output.text(result, "source") + " now in force (sha256 "
                            + Output.text(result, "content_hash") + ").");
                    result.path("restart_required").forEach(s -> out().line("Needs a restart to apply: " + s.asText()));
                } else {
                    out().line("Config unchanged (sha256 " + Output.text(result, "content_hash") + ").");
                }
            });
        }
    }

    @Command(name = "show", description = "Print the config in force (secrets redacted) and its content hash.")
    static final class Show extends Leaf {
        @Override
        void run() {
            JsonNode info = client().get("/v1/config");
            print(info, () -> {
                out().line("source:       " + Output.text(info, "source"));
                out().line("content hash: " + Output.text(info, "content_hash"));
                out().prettyJson(info.path("config"));
            });
        }
    }
}
