package io.quotagate.gateway.testkit;

import io.quotagate.gateway.Gateway;
import io.quotagate.gateway.admission.Admission;
import io.quotagate.gateway.admission.RouteOnlyAdmission;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.quota.QuotaReads;
import io.quotagate.gateway.route.RouteTable;
import java.net.URI;
import java.time.Duration;

/**
 * A started {@link Gateway} on a free port for one test; {@link #close()} stops it. Use with
 * try-with-resources or close it in {@code @AfterEach}.
 */
public final class GatewayFixture implements AutoCloseable {

    private final Gateway gateway;
    private final int port;

    private GatewayFixture(Gateway gateway, int port) {
        this.gateway = gateway;
        this.port = port;
    }

    /** Starts a gateway with {@code admission}. */
    public static GatewayFixture start(GatewayConfig config, Admission admission) {
        return start(new Gateway(config, admission));
    }

    /** Starts a gateway with {@code admission} that also answers the client quota endpoint with {@code quota}. */
    public static GatewayFixture start(GatewayConfig config, Admission admission, QuotaReads quota) {
        return start(new Gateway(config, admission, quota));
    }

    private static GatewayFixture start(Gateway gateway) {
        try {
            return new GatewayFixture(gateway, gateway.start());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            gateway.stop(Duration.ZERO);
            throw new IllegalStateException(e);
        } catch (RuntimeException e) {
            gateway.stop(Duration.ZERO);
            throw e;
        }
    }

    /** Starts a gateway with the foundation's route-only admission. */
    public static GatewayFixture start(GatewayConfig config) {
        RouteTable routes = RouteTable.of(config);
        return start(config, new RouteOnlyAdmission(() -> routes));
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT} (https when the config has TLS is up to the caller). */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public Gateway gateway() {
        return gateway;
    }

    /** A raw client connected to the gateway. */
    public RawHttpClient connect() {
        return RawHttpClient.connect(port);
    }

    @Override
    public void close() {
        gateway.stop(Duration.ofSeconds(2));
    }
}
