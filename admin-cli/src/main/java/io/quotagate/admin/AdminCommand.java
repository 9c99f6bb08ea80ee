package io.quotagate.admin;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code quotagate-admin}: the root command. Holds the options every command shares ({@code --url}, {@code --token},
 * {@code --json}, accepted before or after the command) and builds the client from them and the environment.
 */
@Command(name = "quotagate-admin", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT,
        version = "quotagate-admin 0.1.0",
        description = "Runs the business of a Quotagate gateway through its admin API.",
        footer = {"", "Exit codes: 0 done, 1 refused by the gateway, 2 bad usage, 3 gateway unreachable."},
        subcommands = {TenantCommands.class, KeyCommands.class, ModeCommands.class, PackCommands.class,
            QpsCommands.class, TemplateCommands.class, UsageCommand.class, LedgerCommand.class, QuoteCommands.class,
            ConfigCommands.class, EventCommands.class})
final class AdminCommand implements Callable<Integer> {

    static final String DEFAULT_URL = "http://127.0.0.1:9090";
    static final String URL_ENV = "QUOTAGATE_ADMIN_URL";
    static final String TOKEN_ENV = "QUOTAGATE_ADMIN_TOKEN";

    @Option(names = "--url", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "Admin API base URL (default: $" + URL_ENV + ", else " + DEFAULT_URL + ").")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN", scope = ScopeType.INHERIT,
            description = "Admin token (default: $" + TOKEN_ENV + ").")
    String token;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print JSON for scripts.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;

    AdminCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "a command is required (see --help)");
    }

    AdminClient client() {
        String base = url != null ? url : env.getOrDefault(URL_ENV, DEFAULT_URL);
        String bearer = token != null ? token : env.get(TOKEN_ENV);
        return new AdminClient(base, bearer);
    }

    Output output() {
        return new Output(out());
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
