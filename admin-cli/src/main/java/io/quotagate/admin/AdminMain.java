package io.quotagate.admin;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;

/**
 * Entry point of {@code quotagate-admin}, the operators' command line for the admin API. Exit codes: 0 done,
 * 1 refused by the gateway (its message printed), 2 bad usage, 3 gateway unreachable.
 */
public final class AdminMain {

    private AdminMain() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(commandLine(System.getenv(), out, err).execute(args));
    }

    /** The whole command line, reading URL and token defaults from {@code env}; tests run it in-process. */
    public static CommandLine commandLine(Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new AdminCommand(env));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(e -> e instanceof CliException c ? c.exitCode() : CliException.REFUSED);
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            failed.getErr().println(name(failed) + ": " + e.getMessage());
            failed.getErr().println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for more information.");
            failed.getErr().flush();
            return CliException.USAGE;
        });
        cli.setExecutionExceptionHandler((e, failed, parsed) -> {
            if (e instanceof CliException c) {
                failed.getErr().println(name(failed) + ": " + e.getMessage());
                failed.getErr().flush();
                return c.exitCode();
            }
            throw e;
        });
        return cli;
    }

    /** The command path without the program name ({@code pack grant}), or the program name at the root. */
    private static String name(CommandLine command) {
        String qualified = command.getCommandSpec().qualifiedName();
        String root = command.getCommandSpec().root().name();
        return qualified.equals(root) ? root : qualified.substring(root.length() + 1);
    }
}
