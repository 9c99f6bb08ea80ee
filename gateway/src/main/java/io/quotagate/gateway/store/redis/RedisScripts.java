package io.quotagate.gateway.store.redis;

import io.quotagate.gateway.store.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisNoScriptException;
import org.redisson.client.codec.StringCodec;

/**
 * The Lua scripts of the Redis store, read once from {@code lua/*.lua} (each prefixed with {@code lua/common.lua})
 * and called by SHA-1: one {@code EVALSHA} per call, and only when the server answers {@code NOSCRIPT} (a restart,
 * a failover, {@code SCRIPT FLUSH}) one {@code EVAL}, which caches the script again. Every failure becomes a
 * {@link StoreUnavailableException}.
 */
final class RedisScripts {

    /** The scripts and the files they come from. */
    enum Script {
        ADMIT("admit"), SETTLE("settle"), CREATE_TENANT("create_tenant"), TENANT_ADMIN("tenant_admin"),
        GRANT("grant"), READ_TENANT("read_tenant"), READ_LEDGER("read_ledger"), READ_USAGE("read_usage"),
        UNCHARGED("uncharged"), HEARTBEAT("heartbeat");

        private final String file;

        Script(String file) {
            this.file = file;
        }
    }

    private record Loaded(String body, String sha) {
    }

    private final RScript script;
    private final Map<Script, Loaded> loaded = new EnumMap<>(Script.class);

    RedisScripts(RedissonClient redisson) {
        this.script = redisson.getScript(StringCodec.INSTANCE);
        for (Script s : Script.values()) {
            String body = body(s);
            loaded.put(s, new Loaded(body, sha1(body)));
        }
        preload();
    }

    /**
     * Loads every script into the server's cache ahead of the first call, so the first admits of a replica (while
     * its JIT is cold and its pool fills) do not also pay a NOSCRIPT round trip and a full {@code EVAL}. Best effort:
     * a failure here only means the first call falls back to {@code EVAL}.
     */
    private void preload() {
        for (Loaded l : loaded.values()) {
            try {
                script.scriptLoadAsync(l.body());
            } catch (RuntimeException e) {
                return; // the server is not reachable yet; run() falls back on NOSCRIPT
            }
        }
    }

    /** First line of a script that wants {@code common.lua} only on its rare paths, as {@code common().name}. */
    static final String LAZY_COMMON = "--! common: lazy";

    private static final Pattern COMMON_NAME = Pattern.compile("^local (?:function )?([A-Za-z_][A-Za-z0-9_]*)", Pattern.MULTILINE);

    /**
     * A script as Redis runs it. Lua has no include, so {@code common.lua} is prepended; every top-level
     * {@code local function} of it is then created again on every call. A script whose first line is
     * {@link #LAZY_COMMON} (the admit script, which runs once per request) gets it wrapped in one function,
     * {@code common()}, which returns a table of common.lua's top-level names (built on the first call of the run)
     * and is only called on rare paths.
     */
    static String body(Script s) {
        String common = resource("common");
        String own = resource(s.file);
        if (!own.startsWith(LAZY_COMMON)) {
            return common + "\n" + own;
        }
        StringBuilder exports = new StringBuilder();
        Matcher m = COMMON_NAME.matcher(common);
        while (m.find()) {
            exports.append(exports.isEmpty() ? "" : ", ").append(m.group(1)).append(" = ").append(m.group(1));
        }
        return "local common\ndo\nlocal lib\ncommon = function()\nif lib then return lib end\nlib = (function()\n" + common
                + "\nreturn { " + exports + " }\nend)()\nreturn lib\nend\nend\n" + own;
    }

    /** Runs a script whose reply is an array; keys all share the tenant's hash slot, the first one routes. */
    CompletionStage<List<Object>> run(Script s, List<Object> keys, Object... args) {
        Loaded l = loaded.get(s);
        String routingKey = (String) keys.get(0);
        CompletableFuture<List<Object>> result = new CompletableFuture<>();
        script.<List<Object>>evalShaAsync(routingKey, RScript.Mode.READ_WRITE, l.sha(), RScript.ReturnType.LIST, keys, args)
                .whenComplete((reply, error) -> {
                    if (error == null) {
                        result.complete(reply == null ? List.of() : reply);
                    } else if (isNoScript(error)) {
                        script.<List<Object>>evalAsync(routingKey, RScript.Mode.READ_WRITE, l.body(), RScript.ReturnType.LIST,
                                keys, args).whenComplete((again, error2) -> complete(result, s, again, error2));
                    } else {
                        complete(result, s, null, error);
                    }
                });
        return result;
    }

    /** The SHA-1 Redis knows a script by, e.g. to look it up in {@code INFO commandstats} or {@code SCRIPT EXISTS}. */
    String sha(Script s) {
        return loaded.get(s).sha();
    }

    private static void complete(CompletableFuture<List<Object>> result, Script s, List<Object> reply, Throwable error) {
        if (error == null) {
            result.complete(reply == null ? List.of() : reply);
        } else {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            result.completeExceptionally(new StoreUnavailableException("Redis script " + s.file + " failed: " + cause, cause));
        }
    }

    /** The SHA-1 of a script as {@link #body} builds it, without a client. */
    static String shaOf(Script s) {
        return sha1(body(s));
    }

    private static boolean isNoScript(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof RedisNoScriptException || (t.getMessage() != null && t.getMessage().startsWith("NOSCRIPT"))) {
                return true;
            }
        }
        return false;
    }

    private static String resource(String name) {
        String path = "/lua/" + name + ".lua";
        try (InputStream in = RedisScripts.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lets callers build argument arrays from mixed values. */
    static Object[] args(Object... values) {
        List<Object> out = new ArrayList<>(values.length);
        for (Object v : values) {
            out.add(v == null ? "" : String.valueOf(v));
        }
        return out.toArray();
    }
}
