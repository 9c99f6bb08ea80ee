package io.quotagate.gateway.testkit;

import java.security.SecureRandom;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A small property-based test runner, called from an ordinary JUnit test (so the build's extensions, the leak check
 * among them, apply): generates cases from a seeded random source, runs the property on each, and on the first
 * failure shrinks the case greedily (the first smaller candidate that still fails replaces it, until none does) and
 * fails with the smallest case, its error and the seed that reproduces the run.
 *
 * <p>Tries per property: {@code -Dquotagate.properties.tries=N} (else the caller's default, the short run of the
 * build); base seed: {@code -Dquotagate.properties.seed=S} (else a random one, printed on failure). Try {@code i}
 * draws from {@code new SplittableRandom(S + i)}, so a run with the same seed and at least as many tries repeats
 * a failure. Stateless; each call is independent.
 */
public final class PropertyCheck<T> {

    /** Evaluations of the property spent on shrinking, at most. */
    private static final int SHRINK_BUDGET = 2_000;

    private final String name;
    private final Function<SplittableRandom, T> generator;
    private final Function<T, Stream<T>> smaller;
    private final Map<String, Integer> labels = new TreeMap<>();

    /**
     * @param smaller the candidates one step smaller than a case (fewer parts, simpler parts); may be empty
     */
    public PropertyCheck(String name, Function<SplittableRandom, T> generator, Function<T, Stream<T>> smaller) {
        this.name = name;
        this.generator = generator;
        this.smaller = smaller;
    }

    /** The number of tries a run makes: the system property if set, else {@code defaultTries}. */
    public static int tries(int defaultTries) {
        return Integer.getInteger("quotagate.properties.tries", defaultTries);
    }

    /** Counts a label for the run's summary (which kinds of case the generator reached). */
    public void label(String label) {
        labels.merge(label, 1, Integer::sum);
    }

    /** Runs the property on {@link #tries} generated cases; prints a one-line summary of the labels. */
    public void check(int defaultTries, Consumer<T> property) {
        long seed = Long.getLong("quotagate.properties.seed", new SecureRandom().nextLong());
        int tries = tries(defaultTries);
        for (int i = 0; i < tries; i++) {
            T sample = generator.apply(new SplittableRandom(seed + i));
            Throwable failure = run(property, sample);
            if (failure != null) {
                Shrunk<T> shrunk = shrink(property, sample, failure);
                throw new AssertionError(name + " failed at try " + (i + 1) + " of " + tries
                        + " (reproduce: -Dquotagate.properties.seed=" + seed + "), shrunk in " + shrunk.steps
                        + " step(s) to:\n" + shrunk.sample + "\n" + shrunk.failure.getMessage(), shrunk.failure);
            }
        }
        System.out.println(name + ": " + tries + " tries, seed " + seed + ", " + labels);
    }

    private Shrunk<T> shrink(Consumer<T> property, T sample, Throwable failure) {
        Shrunk<T> best = new Shrunk<>(sample, failure, 0);
        int budget = SHRINK_BUDGET;
        boolean improved = true;
        while (improved && budget > 0) {
            improved = false;
            for (T candidate : (Iterable<T>) smaller.apply(best.sample)::iterator) {
                if (--budget < 0) {
                    break;
                }
                Throwable again = run(property, candidate);
                if (again != null) {
                    best = new Shrunk<>(candidate, again, best.steps + 1);
                    improved = true;
                    break;
                }
            }
        }
        return best;
    }

    private Throwable run(Consumer<T> property, T sample) {
        try {
            property.accept(sample);
            return null;
        } catch (AssertionError | RuntimeException e) {
            return e;
        }
    }

    private record Shrunk<T>(T sample, Throwable failure, int steps) {
    }
}
