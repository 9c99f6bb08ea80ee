package io.quotagate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing, usage errors and exit codes 2 and 3, with no gateway; {@code config validate} offline. */
class AdminCliUsageTest {

    private final Cli cli = Cli.at("http://127.0.0.1:" + closedPort(), "t");

    @ParameterizedTest
    @ValueSource(strings = {"", "tenant create", "tenant list", "tenant show", "tenant suspend", "tenant resume",
        "key create", "key list", "key revoke", "mode set", "pack grant", "qps buy", "template grant", "usage", "ledger",
        "quote pack", "quote qps", "quote template", "config validate", "config reload", "config show"})
    void everyCommandHasHelp(String command) {
        String[] args = (command + " --help").trim().split(" ");
        Cli.Run run = cli.run(args);
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("Usage: quotagate-admin" + (command.isEmpty() ? "" : " " + command))
                .contains("--url=URL").contains("--json").contains("Exit codes: 0 done");
    }

    @Test
    void nonPositiveAmountsAreUsageErrorsNamingTheOption() {
        Cli.Run run = cli.run("pack", "grant", "acme", "portrait", "--calls", "0", "--order", "o1");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("pack grant: --calls must be positive\n")
                .contains("Try 'quotagate-admin pack grant --help'");
        assertThat(cli.run("template", "grant", "acme", "portrait", "--slots", "-3", "--order", "o").err())
                .startsWith("template grant: --slots must be positive");
        assertThat(cli.run("qps", "buy", "acme", "portrait", "--qps", "0", "--days", "1", "--order", "o").err())
                .startsWith("qps buy: --qps must be positive");
        assertThat(cli.run("quote", "pack", "0").err()).startsWith("quote pack: N must be positive");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(cli.run("pack", "grant", "acme", "portrait", "--calls", "0", "--order", "o1").exit()).isEqualTo(2);
        Cli.Run missing = cli.run("pack", "grant", "acme", "portrait", "--calls", "10");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).startsWith("pack grant: Missing required option: '--order=ORDER'");
        Cli.Run notANumber = cli.run("pack", "grant", "acme", "portrait", "--calls", "many", "--order", "o");
        assertThat(notANumber.exit()).isEqualTo(2);
        assertThat(notANumber.err()).contains("--calls").contains("many");
        assertThat(cli.run("qps", "buy", "acme", "portrait", "--qps", "5", "--order", "o").err())
                .startsWith("qps buy: exactly one of --days and --months is required");
        assertThat(cli.run("qps", "buy", "acme", "portrait", "--qps", "5", "--days", "1", "--months", "1", "--order", "o")
                .exit()).isEqualTo(2);
        assertThat(cli.run("qps", "buy", "acme", "portrait", "--qps", "5", "--days", "1", "--order", "o", "--start",
                "tomorrow").err()).startsWith("qps buy: --start must be ISO-8601");
        assertThat(cli.run("quote", "qps", "60").err()).startsWith("quote qps: exactly one of --days and --months");
        assertThat(cli.run("mode", "set", "acme", "portrait", "fast").err())
                .startsWith("mode set: MODE must be count or qps, not fast");
        assertThat(cli.run("usage", "acme", "--from", "last week").err())
                .startsWith("usage: --from must be a date like 2026-01-31, not last week");
        assertThat(cli.run("tenant").err()).startsWith("tenant: a command is required: create, list, show, suspend, resume");
        assertThat(cli.run("frobnicate").exit()).isEqualTo(2);
        assertThat(cli.run().exit()).isEqualTo(2);
        assertThat(cli.run("tenant", "show").err()).startsWith("tenant show: Missing required parameter: 'ID'");
    }

    @Test
    void aClosedPortExitsThreeNamingTheUrl() {
        Cli.Run run = cli.run("tenant", "list");
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.err()).startsWith("tenant list: cannot reach the gateway at http://127.0.0.1:")
                .contains("connection refused");
        assertThat(cli.run("quote", "pack", "1000").exit()).isEqualTo(3);
        assertThat(cli.run("config", "reload").exit()).isEqualTo(3);
    }

    @Test
    void optionsComeFromFlagsBeforeOrAfterTheCommandOverridingTheEnvironment() {
        int port = closedPort();
        Cli.Run after = Cli.offline().run("tenant", "list", "--url", "http://127.0.0.1:" + port);
        assertThat(after.err()).contains("http://127.0.0.1:" + port);
        Cli.Run before = cli.run("--url", "http://127.0.0.1:" + port + "/", "tenant", "list");
        assertThat(before.err()).contains("at http://127.0.0.1:" + port + ":");
        assertThat(Cli.offline().run("--url", "not a url", "tenant", "list").exit()).isEqualTo(2);
    }

    @Test
    void configValidateAcceptsAValidFileOffline(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("quotagate.yaml");
        Files.writeString(file, "groups:\n  portrait:\n    routes:\n      - { match: \"POST /v1/portrait/generate\" }\n");
        Cli.Run run = Cli.offline().run("config", "validate", file.toString());
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith(file + ": valid (groups: portrait; store: memory; sha256 ");
        Cli.Run json = Cli.offline().run("config", "validate", file.toString(), "--json");
        assertThat(json.json().path("valid").asBoolean()).isTrue();
        assertThat(json.json().path("content_hash").asText()).hasSize(64);
        assertThat(json.json().path("groups").get(0).asText()).isEqualTo("portrait");
    }

    @Test
    void configValidateRefusesAnInvalidFileWithFileLineAndKeyPath(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "groups:\n  portrait:\n    max_qps: -1\n    routes:\n"
                + "      - { match: \"POST /v1/portrait/generate\" }\n");
        Cli.Run run = Cli.offline().run("config", "validate", file.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).startsWith("config validate: " + file + ":3: groups.portrait.max_qps: -1");
        assertThat(run.out()).isEmpty();
        Cli.Run missing = Cli.offline().run("config", "validate", dir.resolve("none.yaml").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("none.yaml").contains("cannot read the file");
    }

    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
