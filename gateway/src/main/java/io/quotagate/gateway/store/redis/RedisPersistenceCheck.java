package io.quotagate.gateway.store.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up check of what every Redis node of the store would do with the money on a restart or under memory
 * pressure: reads {@code appendonly}, {@code save}, {@code appendfsync} and {@code maxmemory-policy} with
 * {@code CONFIG GET} on every node the client holds connections to (the masters: money is read and written there
 * only, so replicas are not connected; configure replicas like their masters, since one becomes the master after a
 * failover) and warns about each risk. It only warns: readiness is not affected, because running without persistence can be the operator's choice
 * (a cache-like test set-up). A node that refuses {@code CONFIG} (renamed or disabled, as on many managed services)
 * is reported as unverified, never as a failure. See {@code docs/redis-topologies.md}.
 */
public final class RedisPersistenceCheck {

    private static final Logger LOG = LoggerFactory.getLogger(RedisPersistenceCheck.class);
    static final List<String> SETTINGS = List.of("appendonly", "save", "appendfsync", "maxmemory-policy");

    /** What a node's settings put at risk; {@code loud} ones lose balances on an ordinary restart or eviction. */
    public enum Risk {
        NOT_PERSISTED(true, "neither AOF nor RDB snapshots (appendonly no, save \"\"): every balance, lot, key and "
                + "ledger line is lost when this Redis restarts; set appendonly yes"),
        SNAPSHOTS_ONLY(false, "RDB snapshots only (appendonly no): a crash loses every charge and grant since the last "
                + "snapshot; set appendonly yes"),
        FSYNC_NEVER(false, "appendfsync no: the OS decides when the AOF reaches the disk, a machine crash loses up to "
                + "about 30 s of charges; use appendfsync everysec or always"),
        EVICTS_KEYS(true, "maxmemory-policy is not noeviction: under memory pressure Redis deletes keys, and a deleted "
                + "balance or request record is lost money or a double charge; set maxmemory-policy noeviction"),
        UNVERIFIED(false, "CONFIG GET was refused or failed (renamed or disabled, as on many managed services): "
                + "check appendonly, appendfsync and maxmemory-policy by hand");

        private final boolean loud;
        private final String advice;

        Risk(boolean loud, String advice) {
            this.loud = loud;
            this.advice = advice;
        }

        public boolean loud() {
            return loud;
        }

        public String advice() {
            return advice;
        }
    }

    /** One risk on one node; {@code settings} are the values read (empty when unverified). */
    public record Finding(String node, Risk risk, Map<String, String> settings) {
    }

    private RedisPersistenceCheck() {
    }

    /** Inspects every node and logs a WARN per finding; returns the findings (empty when money is safe). */
    public static List<Finding> warnIfMoneyAtRisk(RedissonClient redisson) {
        List<Finding> findings = inspect(redisson);
        for (Finding f : findings) {
            if (f.risk().loud()) {
                LOG.warn("MONEY AT RISK on Redis {}: {} (read: {})", f.node(), f.risk().advice(), f.settings());
            } else {
                LOG.warn("Redis {}: {} (read: {})", f.node(), f.risk().advice(), f.settings());
            }
        }
        return findings;
    }

    /** Reads the settings of every node the client knows (masters and replicas) and returns what is at risk. */
    public static List<Finding> inspect(RedissonClient redisson) {
        List<Finding> findings = new ArrayList<>();
        for (RedisNode node : nodes(redisson)) {
            String name = node.getAddr().getHostString() + ":" + node.getAddr().getPort();
            Map<String, String> settings = new LinkedHashMap<>();
            try {
                for (String setting : SETTINGS) {
                    settings.put(setting, node.getConfig(setting).getOrDefault(setting, ""));
                }
            } catch (RuntimeException refused) {
                findings.add(new Finding(name, Risk.UNVERIFIED, Map.of()));
                continue;
            }
            risks(settings).forEach(risk -> findings.add(new Finding(name, risk, settings)));
        }
        return findings;
    }

    /** The risks of one node's settings (keys as in {@link #SETTINGS}). */
    static List<Risk> risks(Map<String, String> settings) {
        List<Risk> risks = new ArrayList<>();
        boolean aof = "yes".equals(settings.get("appendonly"));
        boolean snapshots = !settings.getOrDefault("save", "").isBlank();
        if (!aof && !snapshots) {
            risks.add(Risk.NOT_PERSISTED);
        } else if (!aof) {
            risks.add(Risk.SNAPSHOTS_ONLY);
        } else if ("no".equals(settings.get("appendfsync"))) {
            risks.add(Risk.FSYNC_NEVER);
        }
        if (!"noeviction".equals(settings.get("maxmemory-policy"))) {
            risks.add(Risk.EVICTS_KEYS);
        }
        return risks;
    }

    private static List<RedisNode> nodes(RedissonClient redisson) {
        List<RedisNode> nodes = new ArrayList<>();
        if (redisson.getConfig().isClusterConfig()) {
            var cluster = redisson.getRedisNodes(RedisNodes.CLUSTER);
            nodes.addAll(cluster.getMasters());
            nodes.addAll(cluster.getSlaves());
        } else if (redisson.getConfig().isSentinelConfig()) {
            var sentinel = redisson.getRedisNodes(RedisNodes.SENTINEL_MASTER_SLAVE);
            nodes.add(sentinel.getMaster());
            nodes.addAll(sentinel.getSlaves());
        } else {
            nodes.add(redisson.getRedisNodes(RedisNodes.SINGLE).getInstance());
        }
        return nodes;
    }
}
