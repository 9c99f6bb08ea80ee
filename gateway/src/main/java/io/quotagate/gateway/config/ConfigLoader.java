package io.quotagate.gateway.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Reads the YAML of SPEC §4 into a {@link GatewayConfig}, or explains in one {@link ConfigException}
 * ({@code FILE:LINE: key.path: detail}) why it cannot. The file is composed to SnakeYAML nodes, never
 * constructed into objects, so it cannot instantiate types and every value keeps its line; each
 * section reader then validates its part, and the whole file is checked before anything is returned,
 * which is what lets a reload refuse a bad file and change nothing.
 */
public final class ConfigLoader {

    // A config is a few KB; these bound what a hostile or corrupted file can make the parser do.
    private static final int MAX_CODE_POINTS = 1 << 20;
    private static final int MAX_ALIASES = 50;
    private static final int MAX_NESTING = 50;

    private static final String[] TOP_LEVEL = {
        "server", "admin", "status", "upstream", "store", "defaults", "groups", "overrides", "catalog", "metrics",
        "quota_api", "events", "access_log"};

    private ConfigLoader() {
    }

    /**
     * Loads a file with the process environment for {@code ${VAR}}; relative TLS paths are resolved
     * against the file's directory.
     */
    public static GatewayConfig load(Path file) throws ConfigException {
        String source = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(source, 0, "", "cannot read the file (" + e + ")", e);
        }
        String yaml;
        try {
            yaml = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(source, 0, "", "not valid UTF-8", e);
        }
        Path baseDir = file.toAbsolutePath().getParent();
        return parse(yaml, source, System.getenv(), baseDir, sha256Hex(bytes));
    }

    /**
     * Parses YAML text; {@code source} names it in errors and becomes {@link GatewayConfig#source()},
     * {@code env} supplies {@code ${VAR}} values, relative TLS paths are resolved against the working
     * directory, and the content hash is that of the text's UTF-8 bytes (equal to {@link #load}'s).
     */
    public static GatewayConfig parse(String yaml, String source, Map<String, String> env) throws ConfigException {
        return parse(yaml, source, env, Path.of(""), sha256Hex(yaml.getBytes(StandardCharsets.UTF_8)));
    }

    private static GatewayConfig parse(String yaml, String source, Map<String, String> env, Path baseDir, String hash)
            throws ConfigException {
        ParseContext context = new ParseContext(source, env, baseDir);
        ConfigMap root = compose(yaml, context).map(TOP_LEVEL);
        ServerConfig server = ListenerReader.server(root);
        AdminConfig admin = ListenerReader.admin(root, server);
        StatusConfig status = ListenerReader.status(root, server, admin);
        UpstreamConfig upstream = UpstreamReader.upstream(root);
        StoreConfig store = StoreReader.store(root);
        Defaults defaults = DefaultsReader.defaults(root);
        Map<String, GroupConfig> groups = GroupReader.groups(root);
        Map<String, Map<String, GroupOverride>> overrides = GroupReader.overrides(root, groups);
        Catalog catalog = CatalogReader.catalog(root);
        MetricsConfig metrics = ListenerReader.metrics(root);
        QuotaApiConfig quotaApi = QuotaApiReader.quotaApi(root);
        EventsConfig events = EventsReader.events(root, groups);
        AccessLogConfig accessLog = ListenerReader.accessLog(root);
        return new GatewayConfig(server, admin, status, upstream, store, defaults, groups, overrides, catalog, metrics,
                quotaApi, events, accessLog, source, hash);
    }

    private static ConfigNode compose(String yaml, ParseContext context) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setCodePointLimit(MAX_CODE_POINTS);
        // compose() builds nodes only; the safe constructor is there so this Yaml can never build objects.
        DumperOptions dumper = new DumperOptions();
        Yaml parser = new Yaml(new SafeConstructor(options), new Representer(dumper), dumper, options);
        // A BOM is legal at the start of a file; the node API would otherwise see it as content.
        String text = yaml.startsWith("\uFEFF") ? yaml.substring(1) : yaml;
        Node node;
        try {
            node = parser.compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark();
            String where = e.getContext() == null ? "" : e.getContext() + ": ";
            throw new ConfigException(context.source(), mark == null ? 0 : mark.getLine() + 1, "",
                    "invalid YAML: " + where + e.getProblem(), e);
        } catch (YAMLException e) {
            throw new ConfigException(context.source(), 0, "", "invalid YAML: " + e.getMessage(), e);
        }
        if (node == null) {
            throw new ConfigException(context.source(), 1, "", "empty document (expected: a mapping with at least groups)");
        }
        return new ConfigNode(node, "", 1, context);
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
