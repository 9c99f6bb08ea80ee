package io.quotagate.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code java -jar gateway/target/quotagate-gateway.jar ARGS} child of a test, started from the repository root
 * as the README's commands are, with its stdout and stderr in files (the gateway logs to stderr). {@link #close()}
 * kills it if it still runs.
 */
final class JarProcess implements AutoCloseable {

    /** Surefire runs in the module directory; the README's commands run from the repository root. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String JAR = "gateway/target/quotagate-gateway.jar";

    private final String name;
    private final Process process;
    private final Path out;
    private final Path err;

    private JarProcess(String name, Process process, Path out, Path err) {
        this.name = name;
        this.process = process;
        this.out = out;
        this.err = err;
    }

    static boolean jarBuilt() {
        return Files.isRegularFile(ROOT.resolve(JAR));
    }

    /** Starts the jar with {@code env} added to this process's environment; output goes to files in {@code logDir}. */
    static JarProcess start(String name, Path logDir, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR));
        command.addAll(List.of(args));
        Path out = logDir.resolve(name + ".stdout.txt");
        Path err = logDir.resolve(name + ".stderr.txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        return new JarProcess(name, process, out, err);
    }

    Process process() {
        return process;
    }

    /** Waits until stdout or stderr contains {@code text}; fails, with the output, if the process exits first. */
    void awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!output().contains(text)) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + " before printing \"" + text
                        + "\"\n" + describe());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " did not print \"" + text + "\" within " + timeout + "\n" + describe());
            }
            Thread.sleep(20);
        }
    }

    /** What the process printed so far: stdout, then stderr. */
    String output() {
        return read(out) + read(err);
    }

    /** The exit code, waiting up to {@code timeout}; fails, with the output, if it still runs then. */
    int exitCodeWithin(Duration timeout) throws InterruptedException {
        if (!process.waitFor(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
            throw new AssertionError(name + " still runs after " + timeout + "\n" + describe());
        }
        return process.exitValue();
    }

    /** Name, pid, state and everything printed: for failure reports. */
    String describe() {
        String state = process.isAlive() ? "running" : "exit " + process.exitValue();
        return "=== " + name + " (pid " + process.pid() + ", " + state + ")\n--- stdout\n" + read(out)
                + "--- stderr\n" + read(err);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path file) {
        try {
            // A line being written may end mid-character: decode leniently.
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
