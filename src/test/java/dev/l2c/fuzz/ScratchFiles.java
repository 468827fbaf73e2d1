package dev.l2c.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A temp folder for one fuzz target, reused by every execution: the readers under test take
 * paths, so each input is written to a file here first. Deleted when the JVM exits.
 */
final class ScratchFiles {
    private final Path root;

    ScratchFiles(String target) {
        try {
            root = Files.createTempDirectory("l2c-fuzz-" + target + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
    }

    Path root() {
        return root;
    }

    /** Writes {@code bytes} to {@code name} under the folder, replacing what was there. */
    Path write(String name, byte[] bytes) {
        Path p = root.resolve(name);
        try {
            Files.createDirectories(p.getParent());
            Files.write(p, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Empties {@code name} (a sub-folder), so files of the last execution cannot leak into this one. */
    Path emptyFolder(String name) {
        Path p = root.resolve(name);
        deleteTree(p);
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> all = Files.walk(p)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // Best effort: a leftover temp file is not worth failing a fuzz run for.
                }
            });
        } catch (IOException ignored) {
            // As above.
        }
    }
}
