package io.quotagate.gateway.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus's own binaries for tests: {@code promtool} and {@code prometheus} from Debian's {@code prometheus}
 * package ({@code .ci/run} installs it). Missing binaries fail the test under {@code CI=true} (CI must run these
 * checks) and skip it elsewhere, with the reason.
 */
public final class PrometheusTools {

    /** The repository root (tests run in {@code gateway/}). */
    public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private PrometheusTools() {
    }

    /** The path of {@code name} on the PATH (or /usr/bin); fails under CI, skips elsewhere, when it is missing. */
    public static Path require(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/usr/local/bin";
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String why = name + " is not installed (Debian package: prometheus; .ci/run installs it)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(why + ": CI must run this test");
        }
        Assumptions.abort(why);
        return null;
    }

    /** The result of running a tool to its end. */
    public record Run(int exit, String output) {
    }

    /** Runs {@code promtool ARGS} in {@code dir} with {@code stdin} (may be null); output is stdout and stderr. */
    public static Run promtool(Path dir, String stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(require("promtool").toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            if (stdin != null) {
                process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("promtool " + args[0] + " did not finish");
            }
            return new Run(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
