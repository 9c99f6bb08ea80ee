package io.quotagate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every validation rule, each with the exact message an operator sees: file, line, key path, detail.
 * Cases that need a valid rest of the file append {@link #G}, a minimal group, after the lines under test.
 */
class ConfigValidationTest {

    /** A valid groups section, four lines, appended after the lines a case is about. */
    static final String G = """
            groups:
              portrait:
                routes:
                  - match: "POST /v1/portrait/generate"
            """;

    static Stream<Arguments> invalid() {
        return Stream.of(
                // document and keys
                of("", "test.yaml:1: empty document (expected: a mapping with at least groups)"),
                of("- a\n", "test.yaml:1: a list (expected: a mapping)"),
                of("serverr:\n  port: 1\n" + G, "test.yaml:1: serverr: unknown key (expected one of: access_log, admin, "
                        + "catalog, defaults, events, groups, metrics, overrides, quota_api, server, status, store, upstream)"),
                of("server:\n  port: 1\n  port: 2\n" + G, "test.yaml:3: server.port: duplicate key (first at line 2)"),
                of(G + "  portrait:\n    routes: [ { match: \"GET /b\" } ]\n",
                        "test.yaml:5: groups.portrait: duplicate key (first at line 2)"),
                of("? [a, b]\n: c\n" + G, "test.yaml:1: a key must be a single value, not a list or mapping"),
                of("base: &b { port: 1 }\nserver:\n  <<: *b\n" + G, "test.yaml:1: base: unknown key (expected one of: "
                        + "access_log, admin, catalog, defaults, events, groups, metrics, overrides, quota_api, server, status, "
                        + "store, upstream)"),
                of("server: 8080\n" + G, "test.yaml:1: server: 8080 (expected: a mapping)"),

                // groups and routes
                of("server: { port: 8080 }\n", "test.yaml:1: groups: missing (expected: at least one group with routes)"),
                of("groups: {}\n", "test.yaml:1: groups: no groups (expected: at least one group with routes)"),
                of("""
                        groups:
                          portrait:
                            count_mode_qsp: 10
                            routes:
                              - match: "POST /a"
                        """, "test.yaml:3: groups.portrait.count_mode_qsp: unknown key "
                        + "(expected one of: count_mode_qps, max_qps, on_error, routes)"),
                of("groups:\n  portrait:\n    max_qps: 5\n",
                        "test.yaml:2: groups.portrait.routes: missing (expected: at least one route)"),
                of("groups:\n  portrait:\n",
                        "test.yaml:2: groups.portrait.routes: missing (expected: at least one route)"),
                of("groups:\n  portrait:\n    routes: []\n",
                        "test.yaml:3: groups.portrait.routes: no routes (expected: at least one route)"),
                of("groups:\n  portrait:\n    routes: { match: \"GET /a\" }\n",
                        "test.yaml:3: groups.portrait.routes: a mapping (expected: a list)"),
                of("groups:\n  portrait:\n    routes: [ \"GET /a\" ]\n",
                        "test.yaml:3: groups.portrait.routes[0]: \"GET /a\" (expected: a mapping)"),
                of("groups:\n  Portrait:\n    routes: [ { match: \"GET /a\" } ]\n",
                        "test.yaml:2: groups.Portrait: invalid group name (expected: [a-z0-9][a-z0-9_-]{0,63})"),
                of("groups:\n  " + "a".repeat(65) + ":\n    routes: [ { match: \"GET /a\" } ]\n",
                        "test.yaml:2: groups." + "a".repeat(65) + ": invalid group name (expected: [a-z0-9][a-z0-9_-]{0,63})"),
                of("""
                        groups:
                          portrait:
                            routes:
                              - { match: "POST /a" }
                              - { match: "POST /b" }
                              - { match: "POST /c", cost: -1 }
                        """, "test.yaml:6: groups.portrait.routes[2].cost: -1 (expected: >= 0)"),
                of(group("count_mode_qps: 0"), "test.yaml:3: groups.portrait.count_mode_qps: 0 (expected: >= 1)"),
                of(group("max_qps: 100001"), "test.yaml:3: groups.portrait.max_qps: 100001 (expected: <= 100000)"),
                of(group("max_qps: 1.5"), "test.yaml:3: groups.portrait.max_qps: 1.5 (expected: an integer)"),
                of(group("on_error: fail"), "test.yaml:3: groups.portrait.on_error: fail (expected: one of: reject, allow)"),
                of(route("{ cost: 1 }"), "test.yaml:4: groups.portrait.routes[0].match: missing "
                        + "(expected: METHOD PATH, e.g. POST /v1/portrait/generate)"),
                of(route("{ match: \"post /a\" }"), "test.yaml:4: groups.portrait.routes[0].match: \"post /a\" "
                        + "(expected: METHOD PATH with an upper-case method, e.g. POST /v1/portrait/generate)"),
                of(route("{ match: \"GET\" }"), "test.yaml:4: groups.portrait.routes[0].match: GET "
                        + "(expected: METHOD PATH with an upper-case method, e.g. POST /v1/portrait/generate)"),
                of(route("{ match: \"GET /a b\" }"), "test.yaml:4: groups.portrait.routes[0].match: \"GET /a b\" "
                        + "(expected: METHOD PATH with an upper-case method, e.g. POST /v1/portrait/generate)"),
                of(route("{ match: \"GET a/b\" }"),
                        "test.yaml:4: groups.portrait.routes[0].match: \"GET a/b\" (expected: a path starting with /)"),
                of(route("{ match: \"GET /a/**/b\" }"),
                        "test.yaml:4: groups.portrait.routes[0].match: \"GET /a/**/b\" (expected: ** only as the last segment)"),
                of(route("{ match: \"GET /a/*\" }"), "test.yaml:4: groups.portrait.routes[0].match: \"GET /a/*\" "
                        + "(expected: literal segments of URL path characters, {name} segments and a trailing **)"),
                of(route("{ match: \"GET /a//b\" }"),
                        "test.yaml:4: groups.portrait.routes[0].match: \"GET /a//b\" (expected: no empty segment (//) in the path)"),
                of(route("{ match: \"GET /a/{id\" }"), "test.yaml:4: groups.portrait.routes[0].match: \"GET /a/{id\" "
                        + "(expected: a variable segment like {id} (letters, digits, _))"),
                of(route("{ match: \"GET /a/{id}/{id}\" }"), "test.yaml:4: groups.portrait.routes[0].match: "
                        + "\"GET /a/{id}/{id}\" (expected: each variable once, {id} repeats)"),
                of(route("{ match: \"GET /a/../b\" }"), "test.yaml:4: groups.portrait.routes[0].match: \"GET /a/../b\" "
                        + "(expected: no . or .. segment (such paths are refused before matching))"),
                of(route("{ match: \"GET /a?x=1\" }"), "test.yaml:4: groups.portrait.routes[0].match: \"GET /a?x=1\" "
                        + "(expected: literal segments of URL path characters, {name} segments and a trailing **)"),
                of(route("{ match: \"GET /a\", price: 3 }"), "test.yaml:4: groups.portrait.routes[0].price: "
                        + "unknown key (expected one of: cost, match, qps, templates)"),
                of(route("{ match: \"GET /a\", qps: yes }"),
                        "test.yaml:4: groups.portrait.routes[0].qps: yes (expected: true or false)"),
                of(route("{ match: \"POST /a\", templates: update }"),
                        "test.yaml:4: groups.portrait.routes[0].templates: update (expected: one of: create, delete)"),
                of("""
                        groups:
                          a:
                            routes: [ { match: "GET /x" } ]
                          b:
                            routes: [ { match: "GET /x" } ]
                        """, "test.yaml:5: groups.b.routes[0].match: \"GET /x\" repeats groups.a.routes[0].match "
                        + "(a repeated route never matches)"),

                // server and admin
                of("server:\n  port: 70000\n" + G, "test.yaml:2: server.port: 70000 (expected: <= 65535)"),
                of("server:\n  port: -1\n" + G, "test.yaml:2: server.port: -1 (expected: >= 0)"),
                of("server:\n  port: http\n" + G, "test.yaml:2: server.port: http (expected: an integer)"),
                of("server:\n  max_body: 50mb\n" + G,
                        "test.yaml:2: server.max_body: 50mb (expected: a size like 65536, 64KB, 50MB or 1GB)"),
                of("server:\n  max_body: 50 MB\n" + G,
                        "test.yaml:2: server.max_body: \"50 MB\" (expected: a size like 65536, 64KB, 50MB or 1GB)"),
                of("server:\n  max_header_size: 2MB\n" + G, "test.yaml:2: server.max_header_size: 2MB (expected: <= 1MB)"),
                of("server:\n  max_initial_line: 0\n" + G, "test.yaml:2: server.max_initial_line: 0 (expected: >= 1)"),
                of("server:\n  underscores_in_headers: allow\n" + G,
                        "test.yaml:2: server.underscores_in_headers: allow (expected: one of: drop, forward)"),
                of("server:\n  idle_timeout: 10\n" + G,
                        "test.yaml:2: server.idle_timeout: 10 (expected: a duration like 200ms, 30s, 5m, 1h or 1d)"),
                of("server:\n  header_timeout: 1y\n" + G,
                        "test.yaml:2: server.header_timeout: 1y (expected: a duration like 200ms, 30s, 5m, 1h or 1d)"),
                of("server:\n  idle_timeout: 0s\n" + G, "test.yaml:2: server.idle_timeout: 0s (expected: > 0)"),
                of("server:\n  shutdown_timeout: 5M\n" + G,
                        "test.yaml:2: server.shutdown_timeout: 5M (expected: a duration like 200ms, 30s, 5m, 1h or 1d)"),
                of("server:\n  body_timeout: 0s\n" + G, "test.yaml:2: server.body_timeout: 0s (expected: > 0)"),
                of("server:\n  write_idle: soon\n" + G,
                        "test.yaml:2: server.write_idle: soon (expected: a duration like 200ms, 30s, 5m, 1h or 1d)"),
                of("server:\n  body_buffer: 32MB\n" + G, "test.yaml:2: server.body_buffer: 32MB (expected: <= 16MB)"),
                of("server:\n  max_connections: 0\n" + G, "test.yaml:2: server.max_connections: 0 (expected: >= 1)"),
                of("server:\n  max_connections_per_address: -1\n" + G,
                        "test.yaml:2: server.max_connections_per_address: -1 (expected: >= 0)"),
                of("server:\n  io_threads: -1\n" + G, "test.yaml:2: server.io_threads: -1 (expected: >= 0)"),
                of("server:\n  bind: \"0.0.0.0 \"\n" + G, "test.yaml:2: server.bind: \"0.0.0.0 \" "
                        + "(expected: an IP address or host name, e.g. 0.0.0.0 or 127.0.0.1)"),
                of("server:\n  tls: { cert: /nonexistent/q.pem, key: /nonexistent/q.key }\n" + G,
                        "test.yaml:2: server.tls.cert: /nonexistent/q.pem (expected: an existing file)"),
                of("server:\n  tls:\n    certificate: a.pem\n" + G,
                        "test.yaml:3: server.tls.certificate: unknown key (expected one of: cert, key)"),
                of("server: { port: 8080 }\nadmin: { port: 8080 }\n" + G,
                        "test.yaml:2: admin.port: 8080 (expected: a port other than server.port)"),
                of("server: { port: 9090 }\nadmin: { bind: 127.0.0.1 }\n" + G,
                        "test.yaml:2: admin.port: 9090 (expected: a port other than server.port)"),
                of("admin:\n  token: \"two words\"\n" + G,
                        "test.yaml:2: admin.token: contains whitespace or control characters (expected: a printable token)"),
                of("admin:\n  tokn: x\n" + G,
                        "test.yaml:2: admin.tokn: unknown key (expected one of: bind, port, throttle, token)"),
                of("admin:\n  throttle: { failures: 0 }\n" + G, "test.yaml:2: admin.throttle.failures: 0 (expected: >= 1)"),
                of("admin:\n  throttle:\n    cooldown: 0s\n" + G,
                        "test.yaml:3: admin.throttle.cooldown: 0s (expected: > 0)"),
                of("admin:\n  throttle: { window: 1m, cooldwn: 1m }\n" + G,
                        "test.yaml:2: admin.throttle.cooldwn: unknown key (expected one of: cooldown, failures, window)"),
                of("metrics:\n  tenant_label: sometimes\n" + G,
                        "test.yaml:2: metrics.tenant_label: sometimes (expected: true or false)"),
                of("metrics:\n  low_calls: { threshold: 0 }\n" + G,
                        "test.yaml:2: metrics.low_calls.threshold: 0 (expected: >= 1)"),
                of("metrics:\n  low_calls:\n    interval: soon\n" + G,
                        "test.yaml:3: metrics.low_calls.interval: soon (expected: a duration like 200ms, 30s, 5m, 1h or 1d)"),
                of("metrics:\n  low_call: {}\n" + G,
                        "test.yaml:2: metrics.low_call: unknown key (expected one of: low_calls, tenant_label)"),
                // status listener and access log
                of("status:\n  port: 8080\n" + G,
                        "test.yaml:2: status.port: 8080 (expected: a port other than server.port)"),
                of("status: { port: 9090 }\n" + G,
                        "test.yaml:1: status.port: 9090 (expected: a port other than admin.port)"),
                of("status:\n  port: 70000\n" + G,
                        "test.yaml:2: status.port: 70000 (expected: <= 65535)"),
                of("status:\n  bind: \"0.0.0.0 \"\n" + G,
                        "test.yaml:2: status.bind: \"0.0.0.0 \" (expected: an IP address or host name, e.g. 0.0.0.0 or 127.0.0.1)"),
                of("status:\n  prot: 9091\n" + G,
                        "test.yaml:2: status.prot: unknown key (expected one of: bind, port)"),
                of("access_log:\n  enabled: maybe\n" + G,
                        "test.yaml:2: access_log.enabled: maybe (expected: true or false)"),
                of("access_log:\n  file: /nonexistent-dir/access.log\n" + G, "test.yaml:2: access_log.file: "
                        + "/nonexistent-dir/access.log (expected: a file in an existing directory, or empty for standard output)"),
                of("access_log:\n  queue: 0\n" + G, "test.yaml:2: access_log.queue: 0 (expected: >= 1)"),

                // quota_api
                of("quota_api:\n  path: v1/quota\n" + G, "test.yaml:2: quota_api.path: v1/quota "
                        + "(expected: an absolute path of plain segments, e.g. /v1/quota)"),
                of("quota_api:\n  path: \"/v1/{tenant}/quota\"\n" + G, "test.yaml:2: quota_api.path: /v1/{tenant}/quota "
                        + "(expected: an absolute path of plain segments, e.g. /v1/quota)"),
                of("quota_api:\n  path: \"/v1/quota?x=1\"\n" + G, "test.yaml:2: quota_api.path: /v1/quota?x=1 "
                        + "(expected: an absolute path of plain segments, e.g. /v1/quota)"),
                of("quota_api:\n  per_key_qps: 0\n" + G, "test.yaml:2: quota_api.per_key_qps: 0 (expected: >= 1)"),
                of("quota_api:\n  enabled: maybe\n" + G, "test.yaml:2: quota_api.enabled: maybe (expected: true or false)"),
                of("quota_api:\n  rate: 5\n" + G,
                        "test.yaml:2: quota_api.rate: unknown key (expected one of: enabled, path, per_key_qps)"),

                // events
                of("events:\n  webhook_url: ftp://billing.example\n  secret: whsec-0123456789abcdef\n" + G,
                        "test.yaml:2: events.webhook_url: ftp://billing.example (expected: an http:// or https:// URL "
                                + "with a host, or empty for no events)"),
                of("events:\n  webhook_url: https://billing.example/hook\n" + G,
                        "test.yaml:1: events.secret: missing (expected: at least 16 characters when webhook_url is set)"),
                of("events:\n  webhook_url: https://billing.example/hook\n  secret: short\n" + G,
                        "test.yaml:3: events.secret: too short (expected: at least 16 characters when webhook_url is set)"),
                of("events:\n  low_calls: 0%\n" + G, "test.yaml:2: events.low_calls: 0% (expected: a number of calls "
                        + "(e.g. 1000) or a share of the last grant, 1%..99%)"),
                of("events:\n  low_calls: 150%\n" + G, "test.yaml:2: events.low_calls: 150% (expected: a number of calls "
                        + "(e.g. 1000) or a share of the last grant, 1%..99%)"),
                of("events:\n  groups: { avatar: { low_calls: 10 } }\n" + G,
                        "test.yaml:2: events.groups.avatar: unknown group (expected one of: portrait)"),
                of("events:\n  retry_initial: 10s\n  retry_max: 1s\n" + G,
                        "test.yaml:3: events.retry_max: PT1S (expected: >= retry_initial)"),
                of("events:\n  max_attempts: 0\n" + G, "test.yaml:2: events.max_attempts: 0 (expected: >= 1)"),

                // upstream
                of("upstream:\n  url: ftp://h\n" + G, "test.yaml:2: upstream.url: ftp://h "
                        + "(expected: http://HOST[:PORT] or https://HOST[:PORT], without path, query or user info)"),
                of("upstream:\n  url: http://h:9000/api\n" + G, "test.yaml:2: upstream.url: http://h:9000/api "
                        + "(expected: http://HOST[:PORT] or https://HOST[:PORT], without path, query or user info)"),
                of("upstream:\n  url: \"http://user:pw@h\"\n" + G, "test.yaml:2: upstream.url: http://user:pw@h "
                        + "(expected: http://HOST[:PORT] or https://HOST[:PORT], without path, query or user info)"),
                of("upstream:\n  url: 127.0.0.1:9000\n" + G, "test.yaml:2: upstream.url: 127.0.0.1:9000 "
                        + "(expected: http://HOST[:PORT] or https://HOST[:PORT], without path, query or user info)"),
                of("upstream:\n  connect_timeout: 2sec\n" + G,
                        "test.yaml:2: upstream.connect_timeout: 2sec (expected: a duration like 200ms, 30s, 5m, 1h or 1d)"),
                of("upstream:\n  headers: { Host: example.com }\n" + G, "test.yaml:2: upstream.headers.Host: set by the "
                        + "gateway itself (expected: a header other than connection, content-length, host, keep-alive, "
                        + "proxy-connection, te, trailer, transfer-encoding, upgrade, x-tenant-id)"),
                of("upstream:\n  headers:\n    \"Bad Header\": x\n" + G, "test.yaml:3: upstream.headers.Bad Header: "
                        + "invalid header name (expected: an HTTP field name such as Authorization)"),
                of("upstream:\n  headers:\n    Authorization: a\n    authorization: b\n" + G,
                        "test.yaml:4: upstream.headers.authorization: same header as Authorization (header names ignore case)"),
                of("upstream:\n  idle_timeout: 0s\n" + G, "test.yaml:2: upstream.idle_timeout: 0s (expected: > 0)"),
                of("upstream:\n  pool: { max_connections: 0 }\n" + G,
                        "test.yaml:2: upstream.pool.max_connections: 0 (expected: >= 1)"),
                of("upstream:\n  pool: { max_idle: 3 }\n" + G,
                        "test.yaml:2: upstream.pool.max_idle: unknown key (expected one of: idle_timeout, max_connections)"),

                // store
                of("store:\n  type: postgres\n" + G, "test.yaml:2: store.type: postgres (expected: one of: memory, redis)"),
                of("store:\n  type: redis\n" + G,
                        "test.yaml:1: store.redis: missing (expected: one of address, cluster, sentinel when store.type is redis)"),
                of("store:\n  redis: { address: \"redis://h:6379\" }\n" + G,
                        "test.yaml:2: store.redis: only used with type: redis (expected: remove it, or set store.type: redis)"),
                of("store:\n  type: redis\n  redis: { address: \"redis://h:6379\", cluster: [\"redis://h:7000\"] }\n" + G,
                        "test.yaml:3: store.redis: sets address, cluster (expected: exactly one of address, cluster, sentinel)"),
                of("store:\n  type: redis\n  redis: { password: x }\n" + G,
                        "test.yaml:3: store.redis: sets none (expected: exactly one of address, cluster, sentinel)"),
                of("store:\n  type: redis\n  redis: { address: \"http://h:6379\" }\n" + G, "test.yaml:3: store.redis.address: "
                        + "http://h:6379 (expected: redis://HOST:PORT or rediss://HOST:PORT (the password goes in store.redis.password))"),
                of("store:\n  type: redis\n  redis:\n    cluster: []\n" + G,
                        "test.yaml:4: store.redis.cluster: empty (expected: at least one address)"),
                of("store:\n  type: redis\n  redis:\n    cluster: [\"redis://a:7000\", \"h:7000\"]\n" + G,
                        "test.yaml:4: store.redis.cluster[1]: h:7000 (expected: redis://HOST:PORT or rediss://HOST:PORT "
                        + "(the password goes in store.redis.password))"),
                of("store:\n  type: redis\n  redis:\n    sentinel: { addresses: [\"redis://s:26379\"] }\n" + G,
                        "test.yaml:4: store.redis.sentinel.master: missing (expected: the master name Sentinel monitors)"),
                of("store:\n  type: redis\n  redis: { address: \"redis://h:6379\", retry_attempts: 11 }\n" + G,
                        "test.yaml:3: store.redis.retry_attempts: 11 (expected: <= 10)"),
                of("store:\n  type: redis\n  redis: { address: \"redis://h:6379\", timeout: 0ms }\n" + G,
                        "test.yaml:3: store.redis.timeout: 0ms (expected: > 0)"),
                of("store:\n  on_error: open\n" + G, "test.yaml:2: store.on_error: open (expected: one of: reject, allow)"),

                // defaults
                of("defaults:\n  free_calls: -5\n" + G, "test.yaml:2: defaults.free_calls: -5 (expected: >= 0)"),
                of("defaults:\n  pack_validity: 0d\n" + G, "test.yaml:2: defaults.pack_validity: 0d (expected: > 0)"),
                of("defaults:\n  pack_validity: 1 week\n" + G, "test.yaml:2: defaults.pack_validity: \"1 week\" "
                        + "(expected: a duration like 200ms, 30s, 5m, 1h, 365d or 1y)"),
                of("defaults:\n  refund_on: [500, 600]\n" + G, "test.yaml:2: defaults.refund_on[1]: 600 "
                        + "(expected: a status in 100..599 or a range such as 500-599)"),
                of("defaults:\n  refund_on:\n    - \"599-500\"\n" + G, "test.yaml:3: defaults.refund_on[0]: 599-500 "
                        + "(expected: a status in 100..599 or a range such as 500-599)"),
                of("defaults:\n  refund_on: 429\n" + G, "test.yaml:2: defaults.refund_on: 429 (expected: a list)"),

                // overrides (validated against the groups, wherever they are in the file)
                of("overrides:\n  acme:\n    portait: { count_mode_qps: 20 }\n" + G,
                        "test.yaml:3: overrides.acme.portait: unknown group (expected one of: portrait)"),
                of("overrides:\n  ACME:\n    portrait: { count_mode_qps: 20 }\n" + G,
                        "test.yaml:2: overrides.ACME: invalid tenant id (expected: [a-z0-9][a-z0-9_-]{0,63})"),
                of("overrides:\n  acme:\n    portrait: { count_mode_qps: 0 }\n" + G,
                        "test.yaml:3: overrides.acme.portrait.count_mode_qps: 0 (expected: >= 1)"),
                of("overrides:\n  acme:\n    portrait: { qps: 5 }\n" + G,
                        "test.yaml:3: overrides.acme.portrait.qps: unknown key (expected one of: count_mode_qps, max_qps)"),

                // catalog
                of("catalog:\n  packs: { 1000: 400 }\n" + G,
                        "test.yaml:1: catalog.currency: missing (expected: an ISO 4217 code such as CNY)"),
                of("catalog:\n  currency: yuan\n" + G, "test.yaml:2: catalog.currency: yuan (expected: an ISO 4217 code such as CNY)"),
                of("catalog:\n  currency: CNY\n  packs: { 1000: 0 }\n" + G, "test.yaml:3: catalog.packs.1000: 0 (expected: a price > 0)"),
                of("catalog:\n  currency: CNY\n  packs:\n    ten: 400\n" + G,
                        "test.yaml:4: catalog.packs.ten: invalid quantity (expected: a whole number > 0)"),
                of("catalog:\n  currency: CNY\n  templates: { 100: -400 }\n" + G,
                        "test.yaml:3: catalog.templates.100: -400 (expected: a price > 0)"),
                of("catalog:\n  currency: CNY\n  qps: []\n" + G,
                        "test.yaml:3: catalog.qps: no tiers (expected: at least one tier, the last without below)"));
    }

    static Stream<Arguments> invalidTiers() {
        String head = "catalog:\n  currency: CNY\n  qps:\n";
        return Stream.of(
                of(head + "    - { below: 100, per_day: 1, per_month: 2 }\n    - { below: 50, per_day: 1, per_month: 2 }\n"
                        + "    - { per_day: 1, per_month: 2 }\n" + G,
                        "test.yaml:5: catalog.qps[1].below: 50 (expected: > 100, tiers in ascending order)"),
                of(head + "    - { below: 50, per_day: 1, per_month: 2 }\n    - { below: 50, per_day: 1, per_month: 2 }\n"
                        + "    - { per_day: 1, per_month: 2 }\n" + G,
                        "test.yaml:5: catalog.qps[1].below: 50 (expected: > 50, tiers in ascending order)"),
                of(head + "    - { below: 50, per_day: 1, per_month: 2 }\n    - { below: 100, per_day: 1, per_month: 2 }\n" + G,
                        "test.yaml:5: catalog.qps[1].below: 100 (expected: no below on the last tier, so that every quantity has a price)"),
                of(head + "    - { per_day: 1, per_month: 2 }\n    - { per_day: 1, per_month: 2 }\n" + G,
                        "test.yaml:4: catalog.qps[0].below: missing (expected: below on every tier but the last)"),
                of(head + "    - { below: 0, per_day: 1, per_month: 2 }\n    - { per_day: 1, per_month: 2 }\n" + G,
                        "test.yaml:4: catalog.qps[0].below: 0 (expected: >= 1)"),
                of(head + "    - { per_day: 140 }\n" + G, "test.yaml:4: catalog.qps[0].per_month: missing (expected: a price)"),
                of(head + "    - { per_day: 140, per_month: cheap }\n" + G,
                        "test.yaml:4: catalog.qps[0].per_month: cheap (expected: a price > 0)"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource({"invalid", "invalidTiers"})
    void refused(String yaml, String message) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse(yaml, "test.yaml", Map.of()));
        assertThat(e).as("accepted:%n%s", yaml).isNotNull();
        assertThat(e.getMessage()).isEqualTo(message);
        // The parts are exposed separately too, and compose the message.
        assertThat(e.file()).isEqualTo("test.yaml");
        String where = "test.yaml:" + e.line() + ": " + (e.keyPath().isEmpty() ? "" : e.keyPath() + ": ");
        assertThat(message).isEqualTo(where + e.detail());
    }

    /** A group with one extra line (line 3) before its routes (route on line 5). */
    private static String group(String line) {
        return "groups:\n  portrait:\n    " + line + "\n    routes:\n      - { match: \"GET /a\" }\n";
    }

    /** A group whose only route, on line 4, is {@code item}. */
    private static String route(String item) {
        return "groups:\n  portrait:\n    routes:\n      - " + item + "\n";
    }

    private static Arguments of(String yaml, String message) {
        return Arguments.of(yaml, message);
    }
}
