package io.quotagate.gateway.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream of plain blocking sockets on a free loopback port that runs a test's script on every connection it
 * accepts, each on a thread of its own: for what {@link RecordingUpstream}'s HTTP codec cannot do, such as
 * malformed or truncated responses byte for byte, or reading and writing only as fast as the test allows (a
 * blocked {@code write} is the observable sign that the gateway stopped reading). An exception other than an
 * {@link IOException} (the gateway closing the connection) is printed; a script reports to the test through
 * its own thread-safe state.
 */
public final class ScriptedUpstream implements AutoCloseable {

    /** What the upstream does on one connection; {@code connection} counts from 1 in order of acceptance. */
    @FunctionalInterface
    public interface Script {
        void run(int connection, Socket socket) throws Exception;
    }

    private final ServerSocket server;
    private final Script script;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> sockets = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Thread acceptor;

    private ScriptedUpstream(int receiveBuffer, Script script) throws IOException {
        this.script = script;
        server = new ServerSocket();
        if (receiveBuffer > 0) {
            server.setReceiveBufferSize(receiveBuffer); // set before listening, so accepted sockets start with it
        }
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(this::accept, "scripted-upstream-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static ScriptedUpstream start(Script script) {
        return start(0, script);
    }

    /** @param receiveBuffer SO_RCVBUF of accepted connections (0: the system's default, autotuned) */
    public static ScriptedUpstream start(int receiveBuffer, Script script) {
        try {
            return new ScriptedUpstream(receiveBuffer, script);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** Connections accepted since start. */
    public int connectionsAccepted() {
        return accepted.get();
    }

    private void accept() {
        try {
            while (true) {
                Socket socket = server.accept();
                int connection = accepted.incrementAndGet();
                Thread worker = new Thread(() -> runScript(connection, socket), "scripted-upstream-connection-" + connection);
                worker.setDaemon(true);
                synchronized (sockets) {
                    sockets.add(socket);
                    threads.add(worker);
                }
                worker.start();
            }
        } catch (IOException e) {
            // the server socket was closed
        }
    }

    private void runScript(int connection, Socket socket) {
        try (socket) {
            script.run(connection, socket);
        } catch (IOException | InterruptedException e) {
            // the gateway closed the connection, or the test ended
        } catch (Exception | Error e) {
            System.err.println("scripted upstream, connection " + connection + ": " + e);
            e.printStackTrace();
        }
    }

    /**
     * Reads one message head (a request's, or a response's on the client side), up to and including its empty
     * line, a byte at a time so that nothing after it is consumed; null when the connection ended before a head
     * began.
     */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            head.write(c);
            byte[] b = head.toByteArray();
            int n = b.length;
            if (n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n') {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        if (head.size() > 0) {
            throw new IOException("connection ended inside a head");
        }
        return null;
    }

    /** Writes {@code text} as ISO-8859-1 bytes and flushes. */
    public static void write(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /**
     * Stops accepting, closes every connection (a script blocked on it gets an IOException), interrupts the scripts
     * and waits for them.
     */
    @Override
    public void close() {
        try {
            server.close();
            acceptor.join(2_000);
            List<Thread> workers;
            synchronized (sockets) {
                for (Socket socket : sockets) {
                    socket.close();
                }
                workers = List.copyOf(threads);
            }
            for (Thread worker : workers) {
                worker.interrupt(); // a script waiting for the test (sleep, latch) ends too
                worker.join(2_000);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
