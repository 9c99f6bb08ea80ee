package io.quotagate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quotagate.gateway.config.RedisConfig;
import io.quotagate.gateway.store.redis.RedisQuotaStore;
import io.quotagate.gateway.store.redis.RedissonClients;
import io.quotagate.gateway.testkit.AdminFixture;
import io.quotagate.gateway.testkit.RedisServerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A few commands against an admin listener backed by a real Redis: the durable store operators run. */
class AdminCliRedisTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir
    Path dir;
    private AdminFixture admin;
    private Cli cli;

    @BeforeEach
    void start() throws Exception {
        REDIS.flushAll();
        RedisConfig redis = new RedisConfig(REDIS.uri(), null, null, null, Duration.ofSeconds(2), 1);
        admin = AdminFixture.start(dir, new RedisQuotaStore(RedissonClients.create(redis), true), InstantSource.system());
        cli = Cli.at(admin.url(), AdminFixture.TOKEN);
    }

    @AfterEach
    void stop() {
        admin.close();
    }

    @Test
    void tenantGrantsAndShowOnRedis() {
        JsonNode created = cli.run("tenant", "create", "acme", "--json").json();
        assertThat(created.path("api_key").asText()).startsWith("qg_acme.");
        Cli.Run first = cli.run("pack", "grant", "acme", "portrait", "--calls", "1000", "--order", "o-1", "--json");
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(first.json().path("price").asLong()).isEqualTo(400);
        Cli.Run again = cli.run("pack", "grant", "acme", "portrait", "--calls", "1000", "--order", "o-1", "--json");
        assertThat(again.exit()).isZero();
        assertThat(again.json().path("lot").path("id")).isEqualTo(first.json().path("lot").path("id"));
        Cli.Run conflict = cli.run("pack", "grant", "acme", "portrait", "--calls", "10000", "--order", "o-1");
        assertThat(conflict.exit()).isEqualTo(1);
        assertThat(conflict.err()).endsWith("(409 conflict)\n");

        assertThat(cli.run("mode", "set", "acme", "portrait", "qps").exit()).isZero();
        Cli.Run bought = cli.run("qps", "buy", "acme", "portrait", "--qps", "60", "--months", "1", "--order", "q-1", "--json");
        assertThat(bought.json().path("price").asLong()).isEqualTo(240000);
        assertThat(cli.run("qps", "buy", "acme", "portrait", "--qps", "241", "--days", "1", "--order", "q-2").exit())
                .isEqualTo(1);

        JsonNode portrait = cli.run("tenant", "show", "acme", "--json").json().path("groups").path("portrait");
        assertThat(portrait.path("mode").asText()).isEqualTo("qps");
        assertThat(portrait.path("calls_remaining").asLong()).isEqualTo(1200);
        assertThat(portrait.path("qps_limit").asLong()).isEqualTo(60);
        assertThat(portrait.path("lots")).hasSize(2);
        assertThat(portrait.path("templates").path("quota").asLong()).isEqualTo(20);
        assertThat(cli.run("ledger", "acme").out()).containsPattern("pack_granted +portrait +o-1 +400 CNY")
                .containsPattern("qps_bought +portrait +q-1 +240000 CNY");
    }

    @Test
    void aFrozenRedisIsStoreUnavailableAndExitOne() {
        assertThat(cli.run("tenant", "create", "acme").exit()).isZero();
        REDIS.pause();
        try {
            Cli.Run frozen = cli.run("pack", "grant", "acme", "portrait", "--calls", "1000", "--order", "o-9");
            assertThat(frozen.exit()).isEqualTo(1);
            assertThat(frozen.err()).startsWith("pack grant: The quota store is unavailable").endsWith("(503 store_unavailable)\n");
            assertThat(admin.call("GET", "/readyz", null, null).status()).isEqualTo(503);
        } finally {
            REDIS.resume();
        }
        // The retried order credits once, whether or not the frozen attempt applied.
        assertThat(cli.run("pack", "grant", "acme", "portrait", "--calls", "1000", "--order", "o-9").exit()).isZero();
        assertThat(cli.run("tenant", "show", "acme", "--json").json().path("groups").path("portrait")
                .path("calls_remaining").asLong()).isEqualTo(1200);
        assertThat(admin.call("GET", "/readyz", null, null).status()).isEqualTo(200);
    }
}
