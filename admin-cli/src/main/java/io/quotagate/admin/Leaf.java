package io.quotagate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A command that does something (as opposed to one that only groups others): access to the client and output. */
abstract class Leaf implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        run();
        return 0;
    }

    abstract void run();

    AdminCommand root() {
        return (AdminCommand) spec.root().userObject();
    }

    AdminClient client() {
        return root().client();
    }

    Output out() {
        return root().output();
    }

    boolean json() {
        return root().json;
    }

    /** Prints the JSON with --json, else the human form. */
    void print(JsonNode answer, Runnable human) {
        if (json()) {
            out().json(answer);
        } else {
            human.run();
        }
    }

    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    long positive(String option, long value) {
        if (value <= 0) {
            throw usage(option + " must be positive");
        }
        return value;
    }

    /** One path segment, percent-encoded. */
    static String seg(String value) {
        return AdminClient.segment(value);
    }
}
