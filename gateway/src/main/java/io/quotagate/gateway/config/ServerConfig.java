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
        UnderscoresInHeaders underscoresInHeaders) {
}
