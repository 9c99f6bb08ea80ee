package io.quotagate.admin;

/** Entry point of {@code quotagate-admin}: the operators' command line for the admin API. */
public final class AdminMain {

    private AdminMain() {
    }

    public static void main(String[] args) {
        System.err.println("quotagate-admin: not implemented yet");
        System.exit(2);
    }
}
