package io.quotagate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quotagate.gateway.testkit.AdminFixture;
import io.quotagate.gateway.testkit.MutableClock;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/Dockerfile}, checked without a container engine: the build stage runs the README's package
 * command, the runtime stage copies files that exist and runs as a non-root user with container-aware JVM flags,
 * and its {@code HEALTHCHECK} command, run here by bash, passes against a live {@code /healthz} and fails against a
 * closed port.
 */
class DockerfileTest {

    private static final Pattern README_PACKAGE = Pattern.compile("(mvn -q -B package -DskipTests)");

    @TempDir
    Path dir;

    @Test
    void theBuildStageRunsTheReadmesPackageCommand() {
        Matcher readme = README_PACKAGE.matcher(Repo.read("README.md"));
        assertThat(readme.find()).as("the README's package command").isTrue();
        Dockerfile.Stage build = stages().get(0);
        assertThat(build.from()).startsWith("maven:").contains("temurin-17");
        List<String> runs = build.arguments("RUN");
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0)).endsWith(" " + readme.group(1));
        assertThat(build.arguments("COPY")).as("every module's sources reach the build")
                .contains("gateway gateway", "admin-cli admin-cli", "deploy/pom.xml deploy/pom.xml");
    }

    @Test
    void theRuntimeStageIsAJre17WithBothJarsTheLaunchersAndANonRootUser() {
        Dockerfile.Stage runtime = runtime();
        assertThat(runtime.from()).isEqualTo("eclipse-temurin:17-jre");
        assertThat(runtime.arguments("COPY")).contains(
                "--from=build /src/gateway/target/quotagate-gateway.jar /opt/quotagate/lib/quotagate-gateway.jar",
                "--from=build /src/admin-cli/target/quotagate-admin.jar /opt/quotagate/lib/quotagate-admin.jar",
                "bin/quotagate bin/quotagate-admin /opt/quotagate/bin/");
        for (String copy : runtime.arguments("COPY")) {
            if (!copy.startsWith("--from")) {
                String[] sources = copy.split("\\s+");
                for (int i = 0; i < sources.length - 1; i++) {
                    assertThat(Repo.path(sources[i])).as("COPY source in the build context").exists();
                }
            }
        }
        assertThat(runtimeUid()).isPositive();
        assertThat(runtime.arguments("ENTRYPOINT")).containsExactly("[\"quotagate\"]");
        assertThat(runtime.arguments("CMD")).containsExactly("[\"--config\", \"/etc/quotagate/quotagate.yaml\"]");
        String env = String.join(" ", runtime.arguments("ENV"));
        assertThat(env).contains("-XX:MaxRAMPercentage=").contains("-XX:+ExitOnOutOfMemoryError").contains("PATH=/opt/quotagate/bin:");
        assertThat(Repo.read("bin/quotagate")).as("LaunchersTest runs it").contains("-Xlog:disable -Xlog:all=warning:stderr");
    }

    @Test
    void theBuildContextLeavesOutLocalBuildOutput() {
        assertThat(Repo.read("deploy/Dockerfile.dockerignore").lines()).contains("**/target", ".git");
    }

    @Test
    void theHealthcheckPassesOnALiveHealthzAndFailsOnAClosedPort() throws Exception {
        List<String> command = healthcheck();
        try (AdminFixture admin = AdminFixture.memory(dir, new MutableClock(AdminFixture.START))) {
            // The admin listener serves the same /healthz as the status listener does.
            int port = URI.create(admin.url()).getPort();
            assertThat(run(command, port)).as("exit status against a live /healthz").isZero();
        }
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        assertThat(run(command, closed)).as("exit status against a closed port").isNotZero();
    }

    // --- helpers

    static List<Dockerfile.Stage> stages() {
        return Dockerfile.stages(Repo.read("deploy/Dockerfile"));
    }

    static Dockerfile.Stage runtime() {
        List<Dockerfile.Stage> stages = stages();
        assertThat(stages).hasSize(2);
        return stages.get(1);
    }

    /** The numeric uid of the runtime stage's {@code USER}, which the Kubernetes manifests must match. */
    static long runtimeUid() {
        List<String> users = runtime().arguments("USER");
        assertThat(users).hasSize(1);
        String uid = users.get(0).split(":")[0];
        assertThat(uid).as("a numeric uid, so runAsNonRoot can verify it").matches("[1-9][0-9]*");
        return Long.parseLong(uid);
    }

    /** The exec form of {@code HEALTHCHECK ... CMD [...]}. */
    private static List<String> healthcheck() throws Exception {
        List<String> checks = runtime().arguments("HEALTHCHECK");
        assertThat(checks).hasSize(1);
        String json = checks.get(0).substring(checks.get(0).indexOf("CMD ") + 4);
        List<String> command = new ArrayList<>();
        new ObjectMapper().readTree(json).forEach(node -> command.add(node.asText()));
        assertThat(command.get(0)).isEqualTo("bash");
        assertThat(String.join(" ", command)).contains("/healthz").contains("${QUOTAGATE_STATUS_PORT}");
        return command;
    }

    private static int run(List<String> command, int port) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("QUOTAGATE_STATUS_PORT", Integer.toString(port));
        Process process = builder.start();
        process.getOutputStream().close();
        process.getInputStream().readAllBytes();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }
}
