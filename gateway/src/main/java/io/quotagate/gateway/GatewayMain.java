package io.quotagate.gateway;

/** Entry point: {@code java -jar quotagate-gateway.jar --config FILE}. */
public final class GatewayMain {

    private GatewayMain() {
    }

    public static void main(String[] args) {
        System.err.println("quotagate: not implemented yet");
        System.exit(2);
    }
}
