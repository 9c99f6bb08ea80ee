package io.quotagate.gateway.testkit;

import java.util.ArrayList;
import java.util.List;

/** The reply of {@code CLUSTER NODES}, one record a line: who is master, of which slots, and who replicates whom. */
final class ClusterNodes {

    private ClusterNodes() {
    }

    /** One node as another node sees it; {@code slots} holds {@code [first, last]} ranges. */
    record Node(String id, int port, boolean master, boolean failed, String masterId, List<long[]> slots) {

        boolean owns(long slot) {
            return slots.stream().anyMatch(r -> r[0] <= slot && slot <= r[1]);
        }
    }

    /** Lines look like {@code id 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460}. */
    static List<Node> parse(String reply) {
        List<Node> nodes = new ArrayList<>();
        for (String line : reply.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 8) {
                continue;
            }
            String address = f[1].substring(0, f[1].indexOf('@'));
            int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            List<long[]> slots = new ArrayList<>();
            for (int i = 8; i < f.length; i++) {
                if (f[i].startsWith("[")) {
                    continue; // a slot being migrated: none in these tests
                }
                String[] range = f[i].split("-");
                slots.add(new long[] {Long.parseLong(range[0]), Long.parseLong(range[range.length - 1])});
            }
            boolean failed = f[2].contains("fail") || f[2].contains("noaddr");
            nodes.add(new Node(f[0], port, f[2].contains("master"), failed, "-".equals(f[3]) ? null : f[3], slots));
        }
        return nodes;
    }
}
