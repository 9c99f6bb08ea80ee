package io.quotagate.gateway.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A byte-exact HTTP/1.1 client for tests: writes whatever bytes it is given (malformed requests included),
 * parses responses one at a time (Content-Length, chunked or until close) and tells whether the server closed
 * the connection. Blocking, with a read timeout (5 s unless changed).
 */
public final class RawHttpClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
    }

    public static RawHttpClient connect(int port) {
        return connect(port, null);
    }

    /** Connects to 127.0.0.1 from {@code from} (e.g. {@code 127.0.0.2}: another client address on loopback). */
    public static RawHttpClient connect(int port, String from) {
        try {
            Socket socket = new Socket();
            if (from != null) {
                socket.bind(new InetSocketAddress(from, 0));
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(5_000);
            socket.setTcpNoDelay(true);
            return new RawHttpClient(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public RawHttpClient timeout(Duration timeout) {
        try {
            socket.setSoTimeout((int) timeout.toMillis());
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Writes the text as ISO-8859-1 bytes (so control characters pass unchanged). */
    public RawHttpClient send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttpClient send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public OutputStream output() {
        return out;
    }

    /** Reads one response to a non-HEAD request. */
    public RawResponse readResponse() {
        return readResponse(false);
    }

    /** Reads one response; {@code head} when it answers a HEAD request (no body follows). */
    public RawResponse readResponse(boolean head) {
        try {
            String statusLine = readLine();
            if (statusLine == null) {
                throw new AssertionError("connection closed before a response");
            }
            String[] parts = statusLine.split(" ", 3);
            int status = Integer.parseInt(parts[1]);
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            String line;
            while (!(line = readLine()).isEmpty()) {
                int colon = line.indexOf(':');
                headers.computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>()).add(line.substring(colon + 1).trim());
            }
            byte[] body = head || status / 100 == 1 || status == 204 || status == 304 ? new byte[0] : readBody(headers);
            return new RawResponse(status, parts.length > 2 ? parts[2] : "", headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a response head, then counts (and drops) its body without holding it: for very large bodies.
     * The returned response has an empty body; {@link StreamedResponse#bodyBytes()} is the count.
     */
    public StreamedResponse readResponseCountingBody() {
        try {
            String[] parts = readLine().split(" ", 3);
            int status = Integer.parseInt(parts[1]);
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            String line;
            while (!(line = readLine()).isEmpty()) {
                int colon = line.indexOf(':');
                headers.computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>()).add(line.substring(colon + 1).trim());
            }
            long count = 0;
            byte[] buffer = new byte[64 * 1024];
            List<String> te = headers.get("Transfer-Encoding");
            if (te != null) {
                int size;
                while ((size = Integer.parseInt(readLine().split(";")[0].trim(), 16)) > 0) {
                    count += skip(buffer, size);
                    readLine();
                }
                readLine();
            } else if (headers.containsKey("Content-Length")) {
                count = skip(buffer, Long.parseLong(headers.get("Content-Length").get(0)));
            }
            return new StreamedResponse(new RawResponse(status, parts.length > 2 ? parts[2] : "", headers, new byte[0]), count);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long skip(byte[] buffer, long n) throws IOException {
        long done = 0;
        while (done < n) {
            int r = in.read(buffer, 0, (int) Math.min(buffer.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    /** A response whose body was counted, not kept. */
    public record StreamedResponse(RawResponse head, long bodyBytes) {
    }

    private byte[] readBody(Map<String, List<String>> headers) throws IOException {
        List<String> te = headers.get("Transfer-Encoding");
        if (te != null && te.get(0).toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(readLine().split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!readLine().isEmpty()) {
                        // trailers
                    }
                    return body.toByteArray();
                }
                body.write(in.readNBytes(size));
                readLine();
            }
        }
        List<String> length = headers.get("Content-Length");
        if (length != null) {
            int n = Integer.parseInt(length.get(0));
            byte[] body = in.readNBytes(n);
            if (body.length < n) {
                throw new AssertionError("connection closed after " + body.length + " of " + n + " body bytes");
            }
            return body;
        }
        return in.readAllBytes();
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Whether the server closed the connection (EOF or reset) within {@code timeout}, ignoring nothing: bytes
     * arriving first make this fail, since a closed connection was expected.
     */
    public boolean closedByPeer(Duration timeout) {
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            int b = in.read();
            if (b != -1) {
                throw new AssertionError("expected the connection to close, but got more bytes: " + (char) b);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything the server sends until it closes (or the timeout passes). */
    public String readUntilClose() {
        try {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket
        }
    }

    /** One parsed response. */
    public record RawResponse(int status, String reason, Map<String, List<String>> headers, byte[] body) {

        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : values.get(0);
        }

        public List<String> headerValues(String name) {
            return headers.getOrDefault(name, List.of());
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return status + " " + reason + " " + headers + " " + bodyText();
        }
    }
}
