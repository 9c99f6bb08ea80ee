package io.quotagate.gateway.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One local {@code redis-server} process (a plain server, a cluster node or, with {@code --sentinel}, a sentinel) on
 * a free loopback port, in a directory of its own, logging to {@code redis.log} there. Building blocks of
 * {@link RedisSentinelSet} and {@link RedisCluster}: {@link #start} only launches it, {@link #awaitUp()} waits for
 * PING. {@link #kill()} is {@code kill -9}; {@link #close()} kills whatever is still running. The JVM's shutdown hook
 * kills it too, should the test JVM end before the owner closes it.
 */
public final class RedisProcess implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final int port;

    private RedisProcess(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "redis-" + port + "-stop"));
    }

    /**
     * Launches {@code redis-server} with {@code --port}, {@code --bind}, {@code --dir} and no persistence, then
     * {@code args}; a config file, when given, comes first (sentinels need a writable one).
     */
    public static RedisProcess start(Path parent, String name, Path configFile, int port, String... args) {
        try {
            Path dir = Files.createDirectories(parent.resolve(name));
            List<String> command = new ArrayList<>(List.of(redisServer()));
            if (configFile != null) {
                command.add(configFile.toString());
            }
            command.addAll(List.of("--port", String.valueOf(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                    "--save", "", "--appendonly", "no", "--daemonize", "no"));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile()).start();
            return new RedisProcess(process, dir, port);
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + redisServer(), e);
        }
    }

    /** Waits up to 10 s for PING to answer; kills the process and fails if it does not. */
    public RedisProcess awaitUp() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if ("PONG".equals(command("PING"))) {
                    return this;
                }
            } catch (IllegalStateException notYet) {
                sleep(20);
            }
        }
        close();
        throw new IllegalStateException("redis-server did not start on port " + port + "; see " + dir.resolve("redis.log"));
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:port}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** {@code 127.0.0.1:port}, as {@code redis-cli} and {@code CLUSTER NODES} write it. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Runs one command and returns its reply (String, Long, List or null); errors and refusals throw. */
    public Object command(String... args) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            return Resp.call(socket, args);
        } catch (IOException e) {
            throw new IllegalStateException("Redis command " + List.of(args) + " on port " + port + " failed", e);
        }
    }

    /** One section of {@code INFO} as a map ({@code role}, {@code master_link_status}, …). */
    public Map<String, String> info(String section) {
        return ((String) command("INFO", section)).lines().filter(l -> l.contains(":") && !l.startsWith("#"))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')), l -> l.substring(l.indexOf(':') + 1),
                        (a, b) -> b));
    }

    /** {@code kill -9}: the process dies at once, nothing is flushed or handed over. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Cuts this replica off its master and keeps it off: the link is closed ({@code CLIENT KILL TYPE master}) and
     * every reconnection fails its handshake (a {@code masterauth} the master refuses). Writes the master accepts
     * from now on exist only there: a replica that lags. (SIGSTOP would not do: what the master sent waits in the
     * kernel's socket buffers and is still read after a resume, even once the master is dead.)
     */
    public void detachFromMaster() {
        command("CONFIG", "SET", "masterauth", "not-the-masters-password");
        command("CLIENT", "KILL", "TYPE", "master");
        RedisTopology.await("the replication link of " + port + " to go down", java.time.Duration.ofSeconds(5),
                () -> "down".equals(info("replication").get("master_link_status")));
    }

    /** SIGSTOP: connections stay open, nothing is answered (nor replicated) until {@link #resume()}. */
    public void pause() {
        signal("STOP");
    }

    public void resume() {
        signal("CONT");
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            signal("CONT");
            kill();
        }
    }

    private void signal(String name) {
        try {
            if (new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String redisServer() {
        return System.getProperty("quotagate.redis-server", "/usr/bin/redis-server");
    }

    /** A free port now; a concurrent bind may take it before the server does (rare; the start then fails loudly). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
