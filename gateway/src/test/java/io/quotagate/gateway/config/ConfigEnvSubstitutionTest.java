package io.quotagate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ${VAR}} and {@code ${VAR:-default}} are replaced in scalar values, before type conversion. */
class ConfigEnvSubstitutionTest {

    private static GatewayConfig parse(String yaml, Map<String, String> env) throws ConfigException {
        return ConfigLoader.parse(yaml + ConfigValidationTest.G, "env.yaml", env);
    }

    @Test
    void setVariableIsUsedAndConvertedAfterwards() throws ConfigException {
        GatewayConfig config = parse("server: { port: \"${PORT}\", max_body: \"${BODY}\" }\n",
                Map.of("PORT", "8181", "BODY", "2MB"));
        assertThat(config.server().port()).isEqualTo(8181);
        assertThat(config.server().maxBody()).isEqualTo(2L * 1024 * 1024);
    }

    @Test
    void defaultAppliesWhenUnsetOrEmpty() throws ConfigException {
        String yaml = "server: { port: \"${PORT:-8282}\" }\nadmin: { token: \"${TOKEN:-}\" }\n";
        assertThat(parse(yaml, Map.of()).server().port()).isEqualTo(8282);
        assertThat(parse(yaml, Map.of("PORT", "")).server().port()).isEqualTo(8282);
        assertThat(parse(yaml, Map.of("PORT", "8383")).server().port()).isEqualTo(8383);
        assertThat(parse(yaml, Map.of()).admin().token()).isEmpty();
        assertThat(parse(yaml, Map.of("TOKEN", "t0k")).admin().token()).isEqualTo("t0k");
    }

    @Test
    void setButEmptyWithoutDefaultIsEmpty() throws ConfigException {
        assertThat(parse("admin: { token: \"${TOKEN}\" }\n", Map.of("TOKEN", "")).admin().token()).isEmpty();
    }

    @Test
    void embeddedInTextAndSeveralPerValue() throws ConfigException {
        GatewayConfig config = parse("upstream:\n  url: \"http://${HOST}:${UP_PORT:-9000}\"\n"
                + "  headers: { Authorization: \"Bearer ${UPSTREAM_TOKEN:-}\", X-Env: \"${A}-${B}\" }\n",
                Map.of("HOST", "10.0.0.7", "UPSTREAM_TOKEN", "abc", "A", "x", "B", "y"));
        assertThat(config.upstream().url().toString()).isEqualTo("http://10.0.0.7:9000");
        assertThat(config.upstream().headers()).containsEntry("Authorization", "Bearer abc").containsEntry("X-Env", "x-y");
    }

    @Test
    void emptyCredentialLeavesNoTrailingSpace() throws ConfigException {
        GatewayConfig config = parse("upstream: { headers: { Authorization: \"Bearer ${UPSTREAM_TOKEN:-}\" } }\n", Map.of());
        assertThat(config.upstream().headers()).containsEntry("Authorization", "Bearer");
    }

    @Test
    void inListItems() throws ConfigException {
        GatewayConfig config = parse("store:\n  type: redis\n  redis: { cluster: [\"${R1}\", \"redis://b:7000\"] }\n",
                Map.of("R1", "redis://a:7000"));
        assertThat(config.store().redis().cluster()).containsExactly("redis://a:7000", "redis://b:7000");
    }

    @Test
    void dollarEscapesAndLoneDollarsStay() throws ConfigException {
        GatewayConfig config = parse("admin: { token: \"a$$b$c${X:-$}\" }\n", Map.of());
        assertThat(config.admin().token()).isEqualTo("a$b$c$");
        assertThat(parse("admin: { token: \"$${NOT_A_VAR}\" }\n", Map.of()).admin().token()).isEqualTo("${NOT_A_VAR}");
    }

    @Test
    void replacementIsNotScannedAgain() throws ConfigException {
        assertThat(parse("admin: { token: \"${T}\" }\n", Map.of("T", "${SECRET}")).admin().token()).isEqualTo("${SECRET}");
    }

    @Test
    void keysAreNotSubstituted() {
        assertThatThrownBy(() -> parse("upstream: { headers: { \"${H}\": v } }\n", Map.of("H", "X-A")))
                .hasMessage("env.yaml:1: upstream.headers.${H}: invalid header name "
                        + "(expected: an HTTP field name such as Authorization)");
    }

    @Test
    void unsetAdminTokenSaysWhichVariable() {
        assertThatThrownBy(() -> parse("admin:\n  port: 9090\n  token: \"${QUOTAGATE_ADMIN_TOKEN}\"\n", new HashMap<>()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("env.yaml:3: admin.token: environment variable QUOTAGATE_ADMIN_TOKEN is not set "
                        + "(set it, or write ${QUOTAGATE_ADMIN_TOKEN:-} to allow it to be empty)");
    }

    @Test
    void unsetVariableInAListNamesTheItem() {
        assertThatThrownBy(() -> parse("defaults:\n  refund_on: [429, \"${EXTRA}\"]\n", Map.of()))
                .hasMessage("env.yaml:2: defaults.refund_on[1]: environment variable EXTRA is not set "
                        + "(set it, or write ${EXTRA:-} to allow it to be empty)");
    }

    @Test
    void substitutedValueIsValidatedLikeAWrittenOne() {
        assertThatThrownBy(() -> parse("server: { port: \"${PORT}\" }\n", Map.of("PORT", "eighty")))
                .hasMessage("env.yaml:1: server.port: eighty (expected: an integer)");
    }

    @Test
    void malformedReferences() {
        assertThatThrownBy(() -> parse("admin: { token: \"${TOKEN\" }\n", Map.of()))
                .hasMessage("env.yaml:1: admin.token: unterminated ${ in ${TOKEN (expected: ${NAME} or ${NAME:-default})");
        assertThatThrownBy(() -> parse("admin: { token: \"${1X}\" }\n", Map.of()))
                .hasMessage("env.yaml:1: admin.token: ${1X}: invalid variable name (expected: ${NAME} or ${NAME:-default})");
        assertThatThrownBy(() -> parse("admin: { token: \"${A-B}\" }\n", Map.of()))
                .hasMessage("env.yaml:1: admin.token: ${A-B}: invalid variable name (expected: ${NAME} or ${NAME:-default})");
    }
}
