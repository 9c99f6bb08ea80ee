package io.quotagate.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.quotagate.gateway.config.ConfigException;
import io.quotagate.gateway.config.ConfigLoader;
import io.quotagate.gateway.config.GatewayConfig;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Matching {@code METHOD PATH} against routes as loaded from YAML. */
class RouteTableTest {

    static final String YAML = """
            groups:
              portrait:
                routes:
                  - { match: "POST /v1/portrait/generate", cost: 1 }
                  - { match: "GET /v1/portrait/tasks/{id}", cost: 0, qps: false }
                  - { match: "POST /v1/templates", cost: 1, templates: create }
                  - { match: "DELETE /v1/templates/{id}", cost: 0, templates: delete }
                  - { match: "GET /v1/templates/special", cost: 7 }
                  - { match: "GET /v1/templates/{id}", cost: 2 }
                  - { match: "GET /v1/users/{user}/albums/{album}", cost: 3 }
              files:
                routes:
                  - { match: "GET /v1/templates/{name}", cost: 9 }
                  - { match: "GET /v1/files/**", cost: 4 }
                  - { match: "PUT /v1/files/**", cost: 5 }
                  - { match: "GET /v1/slash/", cost: 6 }
            """;

    static final RouteTable TABLE = table(YAML);

    /** "-" means no route matches. The result is "group cost" of the matched route. */
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            POST   | /v1/portrait/generate          | portrait 1
            GET    | /v1/portrait/generate          | -
            post   | /v1/portrait/generate          | -
            POST   | /v1/portrait/generate/         | -
            POST   | /v1/portrait                   | -
            POST   | /v1/portrait/generate/x        | -
            POST   | /V1/portrait/generate          | -
            GET    | /v1/portrait/tasks/42          | portrait 0
            GET    | /v1/portrait/tasks/           | -
            GET    | /v1/portrait/tasks             | -
            GET    | /v1/portrait/tasks/42/         | -
            GET    | /v1/portrait/tasks/42/x        | -
            DELETE | /v1/templates/t-1              | portrait 0
            DELETE | /v1/templates                  | -
            GET    | /v1/templates/special          | portrait 7
            GET    | /v1/templates/other            | portrait 2
            GET    | /v1/users/u1/albums/a2         | portrait 3
            GET    | /v1/users//albums/a2           | -
            GET    | /v1/files                      | files 4
            GET    | /v1/files/                     | files 4
            GET    | /v1/files/a                    | files 4
            GET    | /v1/files/a/b/c.png            | files 4
            GET    | /v1/filesx                     | -
            PUT    | /v1/files/a/b                  | files 5
            DELETE | /v1/files/a                    | -
            GET    | /v1/slash/                     | files 6
            GET    | /v1/slash                      | -
            GET    | /                              | -
            """)
    void matches(String method, String path, String expected) {
        assertThat(describe(TABLE.match(method, path))).isEqualTo(expected);
    }

    @Test
    void firstMatchWinsWithinAndAcrossGroups() {
        // "special" is listed before {id}; portrait's GET /v1/templates/{id} comes before files' {name}.
        assertThat(TABLE.match("GET", "/v1/templates/special").orElseThrow().route().cost()).isEqualTo(7);
        assertThat(TABLE.match("GET", "/v1/templates/x").orElseThrow().group().name()).isEqualTo("portrait");
    }

    @Test
    void groupOrderOfTheFileDecidesAcrossManyGroups() {
        // Enough groups that a hash-ordered map would almost surely reorder them.
        StringBuilder yaml = new StringBuilder("groups:\n");
        String[] names = {"zulu", "alpha", "mike", "bravo", "yankee", "charlie", "xray", "delta", "kilo", "echo"};
        for (String name : names) {
            // Same shape, different variable names: overlapping routes, not repeated ones (those are refused).
            yaml.append("  ").append(name).append(": { routes: [ { match: \"GET /any/{").append(name).append("}\" } ] }\n");
        }
        assertThat(table(yaml.toString()).match("GET", "/any/thing").orElseThrow().group().name()).isEqualTo("zulu");
    }

    @Test
    void matchedRouteCarriesItsSettings() {
        RouteMatch match = TABLE.match("GET", "/v1/portrait/tasks/abc").orElseThrow();
        assertThat(match.route().qps()).isFalse();
        assertThat(match.route().match()).isEqualTo("GET /v1/portrait/tasks/{id}");
        assertThat(match.group().countModeQps()).isEqualTo(10);
    }

    @Test
    void queryStringMustBeStrippedByTheCaller() {
        // The table sees the raw path only: with a query left on, a literal route no longer matches
        // and a {id} segment would swallow it. The proxy strips "?..." before calling match().
        assertThat(TABLE.match("POST", "/v1/portrait/generate?async=1")).isEmpty();
        assertThat(TABLE.match("GET", "/v1/portrait/tasks/42?x=1").orElseThrow().route().cost()).isZero();
    }

    @Test
    void noDecodingOrDotSegmentRemoval() {
        assertThat(TABLE.match("POST", "/v1/portrait/../portrait/generate")).isEmpty();
        assertThat(TABLE.match("POST", "/v1/portrait%2Fgenerate")).isEmpty();
        assertThat(TABLE.match("POST", "/v1/%70ortrait/generate")).isEmpty();
    }

    private static String describe(Optional<RouteMatch> match) {
        return match.map(m -> m.group().name() + " " + m.route().cost()).orElse("-");
    }

    static RouteTable table(String yaml) {
        try {
            GatewayConfig config = ConfigLoader.parse(yaml, "routes.yaml", Map.of());
            return RouteTable.of(config);
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
    }
}
