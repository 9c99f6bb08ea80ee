package io.quotagate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.e2e.GatewayHttp.Reply;
import io.quotagate.gateway.testkit.RedisCluster;
import io.quotagate.gateway.testkit.RedisProcess;
import io.quotagate.gateway.testkit.RedisTopologyExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The two-replica balance test on a 3-master Redis Cluster, and how tenants land on it: each tenant's keys share one
 * hash slot (one script, one round trip, one master), and many tenants spread over every master.
 */
class ClusterTwoReplicasE2eTest extends TwoReplicasE2eContract {

    @RegisterExtension
    static final RedisTopologyExtension<RedisCluster> CLUSTER = RedisTopologyExtension.sharedCluster();

    private static final int TENANTS = 12;
    private static final int BALANCE = 15;
    private static final int CALLS = 20;

    @Override
    protected RedisConfig redis() {
        CLUSTER.topology().flushAll();
        return CLUSTER.topology().config(Duration.ofSeconds(3), 3);
    }

    @Override
    protected List<String> unlimitedQpsTenants() {
        return tenants();
    }

    private static List<String> tenants() {
        return IntStream.range(0, TENANTS).mapToObj(i -> "spread-" + i).toList();
    }

    @Test
    void manyTenantsSpreadOverEveryMasterEachInOneSlotAndEachChargedExactly() throws Exception {
        RedisCluster cluster = CLUSTER.topology();
        List<String> tenants = tenants();
        Map<String, String> keys = new HashMap<>();
        tenants.forEach(t -> keys.put(t, accounts.create(t, BALANCE, 20)));

        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Map.Entry<String, Reply>>> sent = new ArrayList<>();
        for (int i = 0; i < TENANTS * CALLS; i++) {
            String tenant = tenants.get(i % TENANTS);
            int port = (i / TENANTS) % 2 == 0 ? first.port() : second.port();
            sent.add(pool.submit(() -> Map.entry(tenant, http.generate(port, keys.get(tenant)))));
        }
        Map<String, Map<Integer, Long>> statuses = new HashMap<>();
        for (Future<Map.Entry<String, Reply>> f : sent) {
            Map.Entry<String, Reply> r = f.get(60, TimeUnit.SECONDS);
            statuses.computeIfAbsent(r.getKey(), t -> new HashMap<>()).merge(r.getValue().status(), 1L, Long::sum);
        }
        pool.shutdown();

        // Where every tenant key landed: the master that holds it, and its slot.
        Map<String, Set<Integer>> mastersOf = new HashMap<>();
        Map<String, Set<Long>> slotsOf = new HashMap<>();
        for (RedisProcess master : cluster.masters()) {
            for (Object key : (List<?>) master.command("KEYS", "qg:{spread-*")) {
                String tenant = key.toString().substring(4, key.toString().indexOf('}'));
                mastersOf.computeIfAbsent(tenant, t -> new java.util.HashSet<>()).add(master.port());
                slotsOf.computeIfAbsent(tenant, t -> new java.util.HashSet<>()).add(cluster.slotOf(key.toString()));
            }
        }
        System.out.printf("[e2e cluster] %d tenants on masters %s: %s%n", TENANTS,
                cluster.masters().stream().map(RedisProcess::port).toList(), mastersOf);

        assertThat(statuses.values().stream().mapToLong(s -> s.getOrDefault(503, 0L)).sum()).as("503s").isZero();
        for (String tenant : tenants) {
            long ok = statuses.get(tenant).getOrDefault(200, 0L);
            assertThat(statuses.get(tenant).keySet()).as(tenant).isSubsetOf(200, 402);
            assertThat(tenantRequests(tenant)).as(tenant).hasSize((int) ok);
            assertThat(accounts.balance(tenant)).as(tenant).isEqualTo(BALANCE - ok);
            assertThat(mastersOf.get(tenant)).as(tenant + "'s masters").hasSize(1);
            assertThat(slotsOf.get(tenant)).as(tenant + "'s slots").containsExactly(cluster.slotOf("{" + tenant + "}"));
        }
        assertThat(mastersOf.values().stream().flatMap(Set::stream).collect(Collectors.toSet()))
                .as("masters holding tenant keys")
                .containsExactlyInAnyOrderElementsOf(cluster.masters().stream().map(RedisProcess::port).toList());
    }
}
