package io.quotagate.gateway.testkit;

import io.quotagate.gateway.config.RedisConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Sentinel-managed Redis on this machine: one master, one replica and three sentinels (quorum 2), each a local
 * process on a free port. The sentinels are told about each other and about the replica in their generated
 * configs, so nobody waits for the 2-second hello rounds of discovery: start-up takes well under a second. Failure
 * detection is tuned for tests ({@code down-after-milliseconds 1000}); see {@code docs/redis-topologies.md}.
 */
public final class RedisSentinelSet implements RedisTopology {

    public static final String MASTER_NAME = "qgmaster";
    static final int DOWN_AFTER_MS = 1000;

    private final Path dir;
    private final List<RedisProcess> servers = new ArrayList<>();
    private final List<RedisProcess> sentinels = new ArrayList<>();

    private RedisSentinelSet(Path dir) {
        this.dir = dir;
    }

    /** Starts the five processes and waits until the replica is in sync and every sentinel knows the whole set. */
    public static RedisSentinelSet start() {
        RedisSentinelSet set = new RedisSentinelSet(TempDirs.create("qg-sentinel"));
        try {
            set.launch();
            return set;
        } catch (RuntimeException e) {
            set.close();
            throw e;
        }
    }

    private void launch() {
        List<Integer> ports = TempDirs.freePorts(5);
        int masterPort = ports.get(0);
        int replicaPort = ports.get(1);
        // Full syncs start at once: Redis's default waits 5 s for more replicas to share one transfer.
        servers.add(RedisProcess.start(dir, "master", null, masterPort, "--repl-diskless-sync-delay", "0"));
        servers.add(RedisProcess.start(dir, "replica", null, replicaPort, "--repl-diskless-sync-delay", "0",
                "--replicaof", "127.0.0.1", String.valueOf(masterPort)));
        List<Integer> sentinelPorts = ports.subList(2, 5);
        for (int i = 0; i < sentinelPorts.size(); i++) {
            Path config = writeSentinelConfig(i, masterPort, replicaPort, sentinelPorts);
            sentinels.add(RedisProcess.start(dir, "sentinel-" + i, config, sentinelPorts.get(i), "--sentinel"));
        }
        servers.forEach(RedisProcess::awaitUp);
        sentinels.forEach(RedisProcess::awaitUp);
        RedisTopology.await("the replica to sync", Duration.ofSeconds(10),
                () -> "up".equals(servers.get(1).info("replication").get("master_link_status")));
        for (RedisProcess sentinel : sentinels) {
            RedisTopology.await("sentinel " + sentinel.port() + " to see the set", Duration.ofSeconds(10), () -> {
                Map<String, String> master = sentinelMaster(sentinel);
                List<?> replicas = (List<?>) sentinel.command("SENTINEL", "REPLICAS", MASTER_NAME);
                return "1".equals(master.get("num-slaves")) && "2".equals(master.get("num-other-sentinels"))
                        && "master".equals(master.get("flags")) && replicas.size() == 1
                        && "slave".equals(fields((List<?>) replicas.get(0)).get("flags"));
            });
        }
    }

    /** A sentinel's generated config; the file must be writable (sentinels rewrite it on every change). */
    private Path writeSentinelConfig(int index, int masterPort, int replicaPort, List<Integer> sentinelPorts) {
        StringBuilder config = new StringBuilder()
                .append("sentinel myid ").append(sentinelId(index)).append('\n')
                .append("sentinel monitor ").append(MASTER_NAME).append(" 127.0.0.1 ").append(masterPort).append(" 2\n")
                .append("sentinel down-after-milliseconds ").append(MASTER_NAME).append(' ').append(DOWN_AFTER_MS).append('\n')
                .append("sentinel failover-timeout ").append(MASTER_NAME).append(" 10000\n")
                .append("sentinel known-replica ").append(MASTER_NAME).append(" 127.0.0.1 ").append(replicaPort).append('\n');
        for (int other = 0; other < sentinelPorts.size(); other++) {
            if (other != index) {
                config.append("sentinel known-sentinel ").append(MASTER_NAME).append(" 127.0.0.1 ")
                        .append(sentinelPorts.get(other)).append(' ').append(sentinelId(other)).append('\n');
            }
        }
        try {
            return Files.writeString(dir.resolve("sentinel-" + index + ".conf"), config);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sentinel run ids are 40 hex digits. */
    private static String sentinelId(int index) {
        return String.valueOf((char) ('a' + index)).repeat(40);
    }

    private static Map<String, String> sentinelMaster(RedisProcess sentinel) {
        return fields((List<?>) sentinel.command("SENTINEL", "MASTER", MASTER_NAME));
    }

    /** A sentinel's reply about one server: a flat list of field, value pairs. */
    private static Map<String, String> fields(List<?> flat) {
        Map<String, String> fields = new java.util.HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
        }
        return fields;
    }

    @Override
    public RedisConfig config(Duration timeout, int retryAttempts) {
        return new RedisConfig(null, null, new RedisConfig.SentinelConfig(MASTER_NAME,
                sentinels.stream().map(RedisProcess::uri).toList()), null, timeout, retryAttempts);
    }

    public List<RedisProcess> sentinels() {
        return List.copyOf(sentinels);
    }

    @Override
    public List<RedisProcess> masters() {
        return servers.stream().filter(RedisProcess::isAlive)
                .filter(s -> "master".equals(s.info("replication").get("role"))).toList();
    }

    @Override
    public RedisProcess masterOf(String key) {
        return masters().get(0);
    }

    @Override
    public RedisProcess replicaOf(RedisProcess master) {
        return servers.stream().filter(s -> s != master).findFirst().orElseThrow();
    }

    @Override
    public void awaitPromoted(RedisProcess replica, Duration timeout) {
        RedisTopology.await("sentinels to promote port " + replica.port(), timeout, () ->
                "master".equals(replica.info("replication").get("role"))
                        && sentinels.stream().allMatch(s -> List.of("127.0.0.1", String.valueOf(replica.port()))
                        .equals(s.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME))));
    }

    @Override
    public void close() {
        sentinels.forEach(RedisProcess::close);
        servers.forEach(RedisProcess::close);
        TempDirs.delete(dir);
    }
}
