package io.quotagate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quotagate.gateway.testkit.AdminFixture;
import io.quotagate.gateway.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/quotagate} and {@code bin/quotagate-admin} as operators run them: they find the jars of the repository
 * layout or of the image layout ({@code lib/} beside {@code bin/}, also through a symlink), pass {@code JAVA_OPTS}, and keep stdout for the
 * program: a JVM warning that would otherwise be printed on stdout goes to stderr, so {@code --json} output is one
 * clean JSON line. Needs the jars of {@code mvn package}; skipped without them.
 */
class LaunchersTest {

    private static final Path ADMIN_JAR = Repo.path("admin-cli/target/quotagate-admin.jar");
    private static final Path GATEWAY_JAR = Repo.path("gateway/target/quotagate-gateway.jar");
    /** On a machine without huge pages configured, the JVM warns through unified logging, which prints on stdout. */
    private static final String WARNING_FLAG = "-XX:+UseLargePages";

    @TempDir
    Path dir;

    @BeforeEach
    void requireTheJars() {
        Assumptions.assumeTrue(Files.isRegularFile(ADMIN_JAR) && Files.isRegularFile(GATEWAY_JAR), "the jars are built by mvn package");
    }

    @Test
    void adminJsonOutputIsOneCleanJsonLineEvenWhenTheJvmWarns() throws Exception {
        // The premise: the plain java command puts this warning on stdout, in front of the JSON.
        Result plain = run(List.of(java(), WARNING_FLAG, "-jar", ADMIN_JAR.toString(), "quote", "pack", "1000"), Map.of());
        Assumptions.assumeTrue(plain.out().contains("[warning]"), "this machine's JVM prints no warning for " + WARNING_FLAG);

        try (AdminFixture admin = AdminFixture.memory(dir, new MutableClock(AdminFixture.START))) {
            Map<String, String> env = Map.of("QUOTAGATE_ADMIN_URL", admin.url(), "QUOTAGATE_ADMIN_TOKEN", AdminFixture.TOKEN,
                    "JAVA_OPTS", WARNING_FLAG);
            Result created = run(List.of(Repo.path("bin/quotagate-admin").toString(), "--json", "tenant", "create", "acme"), env);
            assertThat(created.exit()).as(created.toString()).isZero();
            assertThat(created.out().lines()).as(created.toString()).hasSize(1);
            JsonNode json = new ObjectMapper().readTree(created.out());
            assertThat(json.path("id").asText()).isEqualTo("acme");
            assertThat(json.path("api_key").asText()).startsWith("qg_acme.");
            assertThat(created.err()).as("JAVA_OPTS reached the JVM, whose warning went to stderr").contains("[warning]");
        }
    }

    @Test
    void adminUsageErrorsExitTwoWithNothingOnStdout() throws Exception {
        Result usage = run(List.of(Repo.path("bin/quotagate-admin").toString(), "pack", "grant"), Map.of());
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.out()).isEmpty();
        assertThat(usage.err()).isNotEmpty();
    }

    @Test
    void theGatewayLauncherRunsTheGatewayJar() throws Exception {
        Result help = run(List.of(Repo.path("bin/quotagate").toString(), "--help"), Map.of("JAVA_OPTS", WARNING_FLAG));
        assertThat(help.exit()).as(help.toString()).isZero();
        assertThat(help.out()).startsWith("usage: java -jar quotagate-gateway.jar --config FILE");
        Result invalid = run(List.of(Repo.path("bin/quotagate").toString(), "--config"), Map.of());
        assertThat(invalid.exit()).isEqualTo(2);
    }

    @Test
    void theLaunchersFindTheJarsOfTheImageLayout() throws Exception {
        // The image: /opt/quotagate/bin/{quotagate,quotagate-admin} and /opt/quotagate/lib/*.jar.
        Path home = dir.resolve("opt/quotagate");
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("lib"));
        for (String launcher : List.of("quotagate", "quotagate-admin")) {
            Files.copy(Repo.path("bin/" + launcher), home.resolve("bin/" + launcher));
        }
        Files.copy(GATEWAY_JAR, home.resolve("lib/quotagate-gateway.jar"));
        Files.copy(ADMIN_JAR, home.resolve("lib/quotagate-admin.jar"));
        Path config = Files.writeString(dir.resolve("seed.yaml"), AdminFixture.seedYaml("t"));

        Result valid = run(List.of(home.resolve("bin/quotagate-admin").toString(), "config", "validate", config.toString()), Map.of());
        assertThat(valid.exit()).as(valid.toString()).isZero();
        assertThat(valid.out()).startsWith(config + ": valid");
        Path link = Files.createSymbolicLink(Files.createDirectories(dir.resolve("usr/local/bin")).resolve("quotagate"),
                home.resolve("bin/quotagate"));
        Result help = run(List.of(link.toString(), "--help"), Map.of());
        assertThat(help.exit()).as("through a symlink: " + help).isZero();

        Files.delete(home.resolve("lib/quotagate-admin.jar"));
        Result missing = run(List.of(home.resolve("bin/quotagate-admin").toString(), "tenant", "list"), Map.of());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).startsWith("quotagate-admin: no quotagate-admin.jar in " + home + "/lib");
    }

    // --- processes

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Result run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command));
        builder.environment().remove("JAVA_OPTS");
        builder.environment().remove("QUOTAGATE_ADMIN_URL");
        builder.environment().remove("QUOTAGATE_ADMIN_TOKEN");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(env);
        Path out = Files.createTempFile("launcher", ".out");
        Path err = Files.createTempFile("launcher", ".err");
        try {
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("did not exit: " + command);
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private record Result(int exit, String out, String err) {
    }
}
