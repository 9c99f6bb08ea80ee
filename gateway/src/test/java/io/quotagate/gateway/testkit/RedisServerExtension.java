package io.quotagate.gateway.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * A real Redis for one test class: a Testcontainers {@code redis:7} container when Docker is available, otherwise
 * a local {@code redis-server} process on a free port (no persistence, its own temporary directory). Register it
 * with {@code @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();}.
 * {@link #pause()} / {@link #resume()} freeze the server (SIGSTOP/SIGCONT) to simulate a store that stops answering,
 * {@link #stop()} / {@link #restart()} take it away and bring it back on the same port; they skip the test on a
 * container.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

    private static final String IMAGE = "redis:7.2-alpine";

    private GenericContainer<?> container;
    private Process process;
    private Path dir;
    private String host;
    private int port;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (dockerAvailable()) {
            startContainer();
        } else if (Files.isExecutable(Path.of(redisServer()))) {
            startProcess();
        } else {
            throw new IllegalStateException("Tests need Redis: neither Docker (for Testcontainers) nor "
                    + redisServer() + " is available. Install redis-server or start Docker.");
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (container != null) {
            container.stop();
        }
        if (process != null && process.isAlive()) {
            signal("CONT");
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** {@code redis://host:port}, as Redisson and {@code RedisConfig.address} take it. */
    public String uri() {
        return "redis://" + host + ":" + port;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Runs one command and returns its reply (String, Long, List or null); errors throw. */
    public Object command(String... args) {
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(5000);
            return Resp.call(socket, args);
        } catch (IOException e) {
            throw new IllegalStateException("Redis command " + List.of(args) + " failed", e);
        }
    }

    /** Starts recording the commands clients send; see {@link RedisMonitor}. */
    public RedisMonitor monitor() {
        try {
            return new RedisMonitor(host, port);
        } catch (IOException e) {
            throw new IllegalStateException("MONITOR failed", e);
        }
    }

    public void flushAll() {
        command("FLUSHALL");
        command("SCRIPT", "FLUSH");
        command("CONFIG", "RESETSTAT");
    }

    /** Freezes the server: connections stay open, nothing is answered until {@link #resume()}. */
    public void pause() {
        Assumptions.assumeTrue(process != null, "pause() needs a local redis-server process, not a container");
        signal("STOP");
    }

    public void resume() {
        Assumptions.assumeTrue(process != null, "resume() needs a local redis-server process, not a container");
        signal("CONT");
    }

    /** Stops the server process (a store that is gone: connections refused) until {@link #restart()}. */
    public void stop() {
        Assumptions.assumeTrue(process != null, "stop() needs a local redis-server process, not a container");
        signal("CONT");
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the server again on the same port, empty (no persistence). */
    public void restart() throws IOException, InterruptedException {
        Assumptions.assumeTrue(process != null, "restart() needs a local redis-server process, not a container");
        launch();
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private void startContainer() {
        container = new GenericContainer<>(IMAGE).withExposedPorts(6379).withCommand("redis-server", "--save", "", "--appendonly", "no");
        container.start();
        host = container.getHost();
        port = container.getMappedPort(6379);
    }

    private void startProcess() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("qg-redis");
        host = "127.0.0.1";
        port = freePort();
        launch();
    }

    private void launch() throws IOException, InterruptedException {
        process = new ProcessBuilder(redisServer(), "--port", String.valueOf(port), "--bind", host, "--save", "",
                "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        // If the test JVM dies before afterAll, the server must not outlive it.
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "redis-server-stop"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try {
                if ("PONG".equals(command("PING"))) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                Thread.sleep(50);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("redis-server did not start on port " + port + "; see " + dir.resolve("redis.log"));
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String redisServer() {
        return System.getProperty("quotagate.redis-server", "/usr/bin/redis-server");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
