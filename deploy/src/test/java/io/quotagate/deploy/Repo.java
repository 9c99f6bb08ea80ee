package io.quotagate.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The repository checked out around this module: its root, and the deployment files under {@code deploy/}. */
final class Repo {

    /** Surefire runs with the module directory ({@code deploy/}) as working directory. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DEPLOY = ROOT.resolve("deploy");

    private Repo() {
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Files under {@code deploy/} whose name ends with one of {@code suffixes}, build output and test sources excluded. */
    static List<Path> deployFiles(String... suffixes) throws IOException {
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !DEPLOY.relativize(p).startsWith("target") && !DEPLOY.relativize(p).startsWith("src"))
                    .filter(p -> Stream.of(suffixes).anyMatch(s -> p.getFileName().toString().endsWith(s)))
                    .sorted()
                    .toList();
        }
    }

    static String relative(Path file) {
        return ROOT.relativize(file).toString();
    }
}
