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
 * {@code java -jar quotagate-gateway.jar demo-upstream [--port 9000]} runs the demo upstream of the quickstart.
 * Exit codes: 0 stopped, 1 failed to start (port taken, store unreachable), 2 bad usage or invalid config.
 */
public final class GatewayMain {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayMain.class);
    private static final String USAGE = """
            usage: java -jar quotagate-gateway.jar --config FILE
                   java -jar quotagate-gateway.jar demo-upstream [--port PORT]
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
     * Netty checks a buffer's reference count on every byte it reads or writes; the proxy's head parsers and writers
     * access bytes one at a time, and that check cost ~14% of the event loop's CPU. The process that serves traffic
     * turns it off unless {@code -Dio.netty.buffer.checkAccessible=true} says otherwise; the test suite runs with
     * Netty's default (on), so a use of a released buffer still fails there. Must run before any Netty class loads.
     */
    static void productionNettyDefaults() {
        if (System.getProperty("io.netty.buffer.checkAccessible") == null) {
            System.setProperty("io.netty.buffer.checkAccessible", "false");
        }
    }
}
