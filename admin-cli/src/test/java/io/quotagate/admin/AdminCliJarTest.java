package io.quotagate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.testkit.AdminFixture;
import io.quotagate.gateway.testkit.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as operators run it ({@code java -jar admin-cli/target/quotagate-admin.jar}), in its own JVM. Runs
 * in the package phase after the shade plugin; skipped when the jar was not built.
 */
class AdminCliJarTest {

    private static final Path JAR = Path.of("target", "quotagate-admin.jar");

    @TempDir
    Path dir;

    @Test
    void theJarRunsCommandsWithEveryExitCode() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(JAR), "the jar is built by mvn package");
        try (AdminFixture admin = AdminFixture.memory(dir, new MutableClock(AdminFixture.START))) {
            String url = admin.url();
            Result quote = java("--url", url, "--token", AdminFixture.TOKEN, "quote", "qps", "60", "--months", "1");
            assertThat(quote.exit()).as(quote.toString()).isZero();
            assertThat(quote.out()).isEqualTo("60 QPS for 1 month: 60 × 1 × 4000 = 240000 CNY\n");
            Result created = java("--url", url, "--token", AdminFixture.TOKEN, "--json", "tenant", "create", "acme");
            assertThat(created.exit()).as(created.toString()).isZero();
            assertThat(created.out()).contains("\"id\":\"acme\"").contains("\"api_key\":\"qg_acme.");
            Result refused = java("--url", url, "tenant", "list");
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("the admin token is required");
            Result usage = java("pack", "grant", "acme", "portrait", "--calls", "0", "--order", "o");
            assertThat(usage.exit()).isEqualTo(2);
            assertThat(usage.err()).startsWith("pack grant: --calls must be positive");
        }
        Result unreachable = java("--url", "http://127.0.0.1:" + AdminCliUsageTest.closedPort(), "tenant", "list");
        assertThat(unreachable.exit()).isEqualTo(3);
    }

    @Test
    void theJarValidatesConfigOffline() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(JAR), "the jar is built by mvn package");
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, AdminFixture.seedYaml("t"));
        Result valid = java("config", "validate", good.toString());
        assertThat(valid.exit()).as(valid.toString()).isZero();
        assertThat(valid.out()).startsWith(good + ": valid (groups: portrait; store: memory; sha256 ");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, AdminFixture.seedYaml("t").replace("cost: 1 }", "cost: -1 }"));
        Result invalid = java("config", "validate", bad.toString());
        assertThat(invalid.exit()).isEqualTo(1);
        assertThat(invalid.err()).startsWith("config validate: " + bad + ":11: groups.portrait.routes[0].cost: -1");
    }

    private static Result java(String... args) throws IOException, InterruptedException {
        // The JVM prints its own warnings on stdout unless told otherwise (a stale /tmp/hsperfdata lock once put one
        // in front of the JSON under test): no perf-data file, and JVM warnings on stderr only (-Xlog:disable first:
        // the default logging prints warnings on stdout, and another -Xlog output would only add stderr to it).
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=warning:stderr", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("quotagate-admin did not exit: " + command);
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private record Result(int exit, String out, String err) {
    }
}
