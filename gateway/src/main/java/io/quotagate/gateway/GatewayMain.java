package io.quotagate.gateway;

import io.quotagate.gateway.config.ConfigException;
import io.quotagate.gateway.config.ConfigLoader;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.demo.DemoUpstream;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: {@code java -jar quotagate-gateway.jar --config FILE} runs a replica until SIGTERM (graceful stop);
 * {@code java -jar quotagate-gateway.jar demo-upstream [--port 9000] [--bind 127.0.0.1]} runs the demo upstream of the quickstart.
 * Exit codes: 0 stopped, 1 failed to start (port taken, store unreachable), 2 bad usage or invalid config.
 */
public final class GatewayMain {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayMain.class);
    private static final String USAGE = """
            usage: java -jar quotagate-gateway.jar --config FILE
                   java -jar quotagate-gateway.jar demo-upstream [--port PORT] [--bind ADDRESS]
            """;

    private GatewayMain() {
    }

    public static void main(String[] args) throws Exception {
        productionNettyDefaults();
        if (args.length > 0 && args[0].equals("demo-upstream")) {
            DemoUpstream.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(USAGE);
            return;
        }
        if (args.length != 2 || !args[0].equals("--config")) {
            System.err.print("quotagate: expected --config FILE\n" + USAGE);
            System.exit(2);
        }
        Path file = Path.of(args[1]);
        GatewayConfig config;
        try {
            config = ConfigLoader.load(file);
        } catch (ConfigException e) {
            System.err.println("quotagate: invalid config: " + e.getMessage());
            System.exit(2);
            return;
        }
        Replica replica;
        try {
            replica = Replica.start(file, config);
        } catch (RuntimeException e) {
            LOG.error("quotagate failed to start: {}", e.toString(), e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping: finishing in-flight requests (up to {} ms)", config.server().shutdownTimeout().toMillis());
            replica.close();
            LOG.info("stopped");
            // After the hooks the JVM exits with 128 + the signal (143 for SIGTERM), which supervisors (systemd,
            // a Kubernetes Job) count as a failure; a graceful stop is exit 0, as the usage says.
            Runtime.getRuntime().halt(0);
        }, "quotagate-shutdown"));
    }

    /**
     * Two of Netty's debugging aids are off in the process that serves traffic, unless the operator sets them
     * ({@code -Dio.netty.buffer.checkAccessible=true}, {@code -Dio.netty.leakDetection.level=simple}):
     * <ul>
     *   <li>the reference-count check on every byte read or written: the head parsers and writers access bytes
     *       one at a time, and the check cost ~14% of the event loop's CPU;</li>
     *   <li>leak detection: its default level wraps a sample of buffers in a tracking type, so the JIT keeps
     *       seeing new types at the hottest call sites, deoptimises and recompiles them for as long as traffic
     *       lasts (the C2 thread at ~10% of a core at 20k req/s, the event loop ~20% slower). A leak still
     *       shows: the allocator's memory is exported ({@code netty_allocator_memory_pinned}, bytes in live
     *       buffers) and grows.</li>
     * </ul>
     * The test suite runs with both on (leak detection at its strictest), so a leak or a use of a released buffer
     * fails there. Must run before any Netty class loads.
     */
    static void productionNettyDefaults() {
        if (System.getProperty("io.netty.buffer.checkAccessible") == null) {
            System.setProperty("io.netty.buffer.checkAccessible", "false");
        }
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
    }
}
