package io.quotagate.gateway.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Temporary directories and free ports for the processes of a Redis topology. */
final class TempDirs {

    private TempDirs() {
    }

    static Path create(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code n} distinct free ports. */
    static List<Integer> freePorts(int n) {
        Set<Integer> ports = new LinkedHashSet<>();
        while (ports.size() < n) {
            ports.add(RedisProcess.freePort());
        }
        return List.copyOf(ports);
    }

    /** Deletes {@code dir} and everything in it; best effort (a process killed a moment ago may still write). */
    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // left in the temporary directory: harmless, and no reason to fail a test that passed
        }
    }
}
