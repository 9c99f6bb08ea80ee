package io.quotagate.gateway.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Records what clients send to Redis ({@code MONITOR}), to count round trips: commands a script runs are tagged
 * {@code [db lua]} and are not round trips. Close it to stop recording.
 */
public final class RedisMonitor implements AutoCloseable {

    private final Socket socket;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    RedisMonitor(String host, int port) throws IOException {
        socket = new Socket(host, port);
        OutputStream out = socket.getOutputStream();
        out.write("MONITOR\r\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        if (!"+OK".equals(in.readLine())) {
            throw new IOException("MONITOR refused");
        }
        reader = new Thread(() -> {
            try {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException closed) {
                // close() ends the stream.
            }
        }, "redis-monitor");
        reader.setDaemon(true);
        reader.start();
    }

    /** Commands clients sent (upper-case names), in order, leaving out what scripts ran inside Redis. */
    public List<String> clientCommands() {
        synchronized (lines) {
            return lines.stream().filter(l -> !l.contains(" lua] ")).map(RedisMonitor::command).toList();
        }
    }

    /** Every line recorded so far, as Redis sent it ({@code <unix time.µs> [db client-or-lua] "CMD" "arg" …}). */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    private static String command(String line) {
        int start = line.indexOf("] \"") + 3;
        return line.substring(start, line.indexOf('"', start)).toUpperCase(java.util.Locale.ROOT);
    }

    /** Stops recording; MONITOR lines arrive asynchronously, so the last ones get a moment first. */
    @Override
    public void close() throws IOException {
        try {
            Thread.sleep(100);
            socket.close();
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            socket.close();
        }
    }
}
