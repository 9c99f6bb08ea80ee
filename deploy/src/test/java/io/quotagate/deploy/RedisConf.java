package io.quotagate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A shipped {@code redis.conf} as Redis itself reads it: a real {@code redis-server} is started on the file (its
 * port, bind address and directory replaced for this machine) and asked for the settings in force. Redis
 * refuses what a text check would let through, such as a comment after a directive.
 */
final class RedisConf {

    private static final String REDIS_SERVER = System.getProperty("quotagate.redis-server", "/usr/bin/redis-server");

    private RedisConf() {
    }

    /** The values in force of {@code names} after Redis started on {@code text}; fails with Redis's own message. */
    static Map<String, String> inForce(String text, Path dir, String... names) throws Exception {
        // Redis changes to `dir` as it reads the line, so the shipped /data is replaced in the text itself.
        Path conf = Files.writeString(dir.resolve("redis.conf"), text.replaceAll("(?m)^dir .*$", "dir " + dir));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = dir.resolve("redis.log");
        Process redis = new ProcessBuilder(REDIS_SERVER, conf.toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--daemonize", "no")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                assertThat(redis.isAlive()).as("redis-server exited on this config: %s", Files.readString(log)).isTrue();
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    return configGet(socket, names);
                } catch (IOException notYet) {
                    assertThat(System.nanoTime() - deadline).as("redis-server did not answer: %s", Files.readString(log)).isNegative();
                    Thread.sleep(50);
                }
            }
        } finally {
            redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Map<String, String> configGet(Socket socket, String... names) throws IOException {
        socket.setSoTimeout(5_000);
        OutputStream out = socket.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : names) {
            out.write(("CONFIG GET " + name + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String header = in.readLine();
            assertThat(header).as("reply to CONFIG GET %s", name).isEqualTo("*2");
            in.readLine(); // $len of the name
            String key = in.readLine();
            in.readLine(); // $len of the value
            values.put(key, in.readLine());
        }
        return values;
    }
}
