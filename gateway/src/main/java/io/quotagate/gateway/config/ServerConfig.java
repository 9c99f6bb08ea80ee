package io.quotagate.gateway.config;

import java.time.Duration;

/**
 * The public listener.
 *
 * @param maxBody              largest request body accepted, in bytes
 * @param tls                  null for plain HTTP
 * @param idleTimeout          a client connection with no request in flight is closed after this
 * @param headerTimeout        a request line and headers must arrive within this
 * @param shutdownTimeout      on SIGTERM, in-flight requests get this long to finish
 * @param maxInitialLineLength longer request lines get 414
 * @param maxHeaderSize        larger header sections get 431
 * @param ioThreads            event loop threads; 0 means one per core
 * @param bodyTimeout          while the gateway waits on the client for a request body, each
 *                             {@code BodyTimer#WINDOW_BYTES} of it (or its end) must arrive within this
 * @param writeIdle            a client that takes no more response bytes (its connection stays unwritable) for
 *                             this long is cut
 * @param bodyBuffer           this many bytes of a request body (all of a smaller one) are read before an upstream
 *                             connection is taken (0: bodies stream at once)
 * @param maxConnections       open client connections, at most, for the whole listener
 * @param maxConnectionsPerAddress open client connections, at most, from one client IP address (0: no cap)
 * @param underscoresInHeaders what happens to client headers whose names contain {@code _}
 */
public record ServerConfig(
        String bind,
        int port,
        long maxBody,
        TlsConfig tls,
        Duration idleTimeout,
        Duration headerTimeout,
        Duration shutdownTimeout,
        int maxInitialLineLength,
        int maxHeaderSize,
        int ioThreads,
        Duration bodyTimeout,
        Duration writeIdle,
        long bodyBuffer,
        int maxConnections,
        int maxConnectionsPerAddress,
        UnderscoresInHeaders underscoresInHeaders) {
}
