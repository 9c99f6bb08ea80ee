package io.quotagate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading from a file: source, content hash, TLS files, and what an unusable file reports. */
class ConfigLoadFileTest {

    @TempDir
    Path dir;

    @Test
    void sourceAndHashOfTheBytes() throws Exception {
        Path file = dir.resolve("q.yaml");
        Files.writeString(file, ConfigDefaultsTest.MINIMAL);
        GatewayConfig config = ConfigLoader.load(file);
        assertThat(config.source()).isEqualTo(file.toString());
        assertThat(config.contentHash()).isEqualTo(sha256(ConfigDefaultsTest.MINIMAL));
        assertThat(config.contentHash()).isEqualTo(ConfigDefaultsTest.minimal().contentHash());
        Files.writeString(file, ConfigDefaultsTest.MINIMAL + "# a comment changes the hash\n");
        assertThat(ConfigLoader.load(file).contentHash()).isNotEqualTo(config.contentHash());
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("absent.yaml");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        assertThat(e.file()).isEqualTo(file.toString());
        assertThat(e.line()).isZero();
        assertThat(e.getMessage()).startsWith(file + ": cannot read the file (java.nio.file.NoSuchFileException");
    }

    @Test
    void notUtf8() throws Exception {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});
        assertThatThrownBy(() -> ConfigLoader.load(file)).hasMessage(file + ": not valid UTF-8");
    }

    @Test
    void byteOrderMarkIsAccepted() throws Exception {
        Path file = dir.resolve("bom.yaml");
        Files.write(file, ("\uFEFF" + ConfigDefaultsTest.MINIMAL).getBytes(StandardCharsets.UTF_8));
        assertThat(ConfigLoader.load(file).groups()).containsOnlyKeys("portrait");
    }

    @Test
    void tlsFilesRelativeToTheConfigFile() throws Exception {
        Files.createDirectories(dir.resolve("tls"));
        Files.writeString(dir.resolve("tls/cert.pem"), "-----BEGIN CERTIFICATE-----\n");
        Files.writeString(dir.resolve("tls/key.pem"), "-----BEGIN PRIVATE KEY-----\n");
        Path file = dir.resolve("q.yaml");
        Files.writeString(file, "server:\n  tls: { cert: tls/cert.pem, key: tls/key.pem }\n" + ConfigValidationTest.G);
        TlsConfig tls = ConfigLoader.load(file).server().tls();
        assertThat(tls).isEqualTo(new TlsConfig(dir.toAbsolutePath().resolve("tls/cert.pem"),
                dir.toAbsolutePath().resolve("tls/key.pem")));
    }

    @Test
    void tlsKeyMissing() throws Exception {
        Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\n");
        Path file = dir.resolve("q.yaml");
        Files.writeString(file, "server:\n  tls:\n    cert: cert.pem\n    key: key.pem\n" + ConfigValidationTest.G);
        assertThatThrownBy(() -> ConfigLoader.load(file)).hasMessage(file + ":4: server.tls.key: key.pem "
                + "(expected: an existing file, looked for " + dir.toAbsolutePath().resolve("key.pem") + ")");
        Files.writeString(file, "server:\n  tls:\n    cert: cert.pem\n" + ConfigValidationTest.G);
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .hasMessage(file + ":2: server.tls.key: missing (expected: a PEM private key file)");
    }

    @Test
    void tlsDirectoryIsNotAFile() {
        String yaml = "server:\n  tls: { cert: \"" + dir + "\", key: \"" + dir + "\" }\n" + ConfigValidationTest.G;
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "t.yaml", Map.of()))
                .hasMessage("t.yaml:2: server.tls.cert: " + dir + " (expected: an existing file)");
    }

    @Test
    void yamlSyntaxErrorNamesTheLine() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse("groups:\n  portrait:\n    routes: [ { match: \"GET /a\" }\n  x: 1\n", "s.yaml", Map.of()));
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.keyPath()).isEmpty();
        assertThat(e.getMessage()).startsWith("s.yaml:4: invalid YAML: ");
    }

    @Test
    void severalDocumentsAreRefused() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse(ConfigDefaultsTest.MINIMAL + "---\n" + ConfigDefaultsTest.MINIMAL, "m.yaml", Map.of()));
        assertThat(e.getMessage()).startsWith("m.yaml:5: invalid YAML: ").contains("single document");
    }

    @Test
    void aliasBombIsRefused() {
        StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 12; i++) {
            yaml.append("a").append(i).append(": &a").append(i).append(" [");
            yaml.append(("*a" + (i - 1) + ", ").repeat(9)).append("*a").append(i - 1).append("]\n");
        }
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse(yaml.toString(), "bomb.yaml", Map.of()));
        assertThat(e.getMessage()).startsWith("bomb.yaml").contains("invalid YAML").containsIgnoringCase("aliases");
    }

    @Test
    void customTagsBuildNothing() {
        // SnakeYAML's default tag inspector refuses global tags while composing; nothing is ever constructed.
        assertThatThrownBy(() -> ConfigLoader.parse("server: !!javax.script.ScriptEngineManager [x]\n" + ConfigValidationTest.G,
                "tag.yaml", Map.of())).hasMessageStartingWith("tag.yaml:1: invalid YAML: Global tag is not allowed");
    }

    private static String sha256(String text) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest);
    }
}
