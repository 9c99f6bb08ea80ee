package io.quotagate.gateway.testkit;

import io.quotagate.gateway.config.RedisConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster on this machine: three masters with one replica each, six local processes on free ports, joined
 * by {@code redis-cli --cluster create}. Ready once every node reports {@code cluster_state:ok} and every replica
 * is in sync. Failure detection is tuned for tests ({@code cluster-node-timeout 1000}); see
 * {@code docs/redis-topologies.md}.
 */
public final class RedisCluster implements RedisTopology {

    static final int NODE_TIMEOUT_MS = 1000;
    private static final int NODES = 6;

    private final Path dir;
    private final List<RedisProcess> nodes = new ArrayList<>();

    private RedisCluster(Path dir) {
        this.dir = dir;
    }

    public static RedisCluster start() {
        RedisCluster cluster = new RedisCluster(TempDirs.create("qg-cluster"));
        try {
            cluster.launch();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void launch() {
        List<Integer> ports = TempDirs.freePorts(2 * NODES);
        for (int i = 0; i < NODES; i++) {
            // The bus port is chosen too: port + 10000, Redis's default, may be taken or above 65535.
            nodes.add(RedisProcess.start(dir, "node-" + i, null, ports.get(i), "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf", "--cluster-port", String.valueOf(ports.get(NODES + i)),
                    "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT_MS),
                    // Full syncs start at once: Redis's default waits 5 s for more replicas to share one transfer.
                    "--repl-diskless-sync-delay", "0"));
        }
        nodes.forEach(RedisProcess::awaitUp);
        List<String> create = new ArrayList<>(List.of(redisCli(), "--cluster", "create"));
        nodes.forEach(n -> create.add(n.hostPort()));
        create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        run(create);
        RedisTopology.await("cluster_state:ok on every node, replicas in sync", Duration.ofSeconds(20), () ->
                nodes.stream().allMatch(n -> ((String) n.command("CLUSTER", "INFO")).contains("cluster_state:ok"))
                        && masters().size() == 3
                        && masters().stream().allMatch(m -> "up".equals(replicaOf(m).info("replication").get("master_link_status"))));
    }

    private void run(List<String> command) {
        Path log = dir.resolve("cluster-create.log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("redis-cli --cluster create failed; see " + log);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public RedisConfig config(Duration timeout, int retryAttempts) {
        return new RedisConfig(null, nodes.stream().map(RedisProcess::uri).toList(), null, null, timeout, retryAttempts);
    }

    /** Every process, dead or alive, in start order. */
    public List<RedisProcess> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public List<RedisProcess> masters() {
        return view().stream().filter(n -> n.master() && !n.failed() && !n.slots().isEmpty())
                .map(n -> node(n.port())).toList();
    }

    @Override
    public RedisProcess masterOf(String key) {
        long slot = slotOf(key);
        return view().stream().filter(n -> n.master() && !n.failed() && n.owns(slot)).map(n -> node(n.port()))
                .findFirst().orElseThrow(() -> new IllegalStateException("no master serves slot " + slot));
    }

    /** {@code CLUSTER KEYSLOT key}. */
    public long slotOf(String key) {
        return (Long) live().command("CLUSTER", "KEYSLOT", key);
    }

    @Override
    public RedisProcess replicaOf(RedisProcess master) {
        List<ClusterNodes.Node> view = view();
        String id = view.stream().filter(n -> n.port() == master.port()).findFirst().orElseThrow().id();
        return view.stream().filter(n -> id.equals(n.masterId())).map(n -> node(n.port())).findFirst()
                .orElseThrow(() -> new IllegalStateException("no replica of " + master.hostPort()));
    }

    @Override
    public void awaitPromoted(RedisProcess replica, Duration timeout) {
        RedisTopology.await("the cluster to promote port " + replica.port(), timeout, () ->
                "master".equals(replica.info("replication").get("role"))
                        && nodes.stream().filter(RedisProcess::isAlive).allMatch(n ->
                        ((String) n.command("CLUSTER", "INFO")).contains("cluster_state:ok")));
    }

    @Override
    public void close() {
        nodes.forEach(RedisProcess::close);
        TempDirs.delete(dir);
    }

    private List<ClusterNodes.Node> view() {
        return ClusterNodes.parse((String) live().command("CLUSTER", "NODES"));
    }

    private RedisProcess live() {
        return nodes.stream().filter(RedisProcess::isAlive).findFirst().orElseThrow();
    }

    private RedisProcess node(int port) {
        return nodes.stream().filter(n -> n.port() == port).findFirst().orElseThrow();
    }

    private static String redisCli() {
        return System.getProperty("quotagate.redis-cli", "/usr/bin/redis-cli");
    }
}
