package dev.l2c.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The temporary files (and folders) this process has open. A shutdown hook deletes the ones
 * still live, so SIGINT and SIGTERM (which run the hooks; the JVM then exits 130 or 143) or an
 * exit mid-write leave no temporary file behind.
 */
public final class TempFiles {
    private static final Set<Path> LIVE = new LinkedHashSet<>();
    private static boolean exiting;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TempFiles::deleteAll, "l2c-temp-files"));
    }

    private TempFiles() {}

    /**
     * Creates {@code dir/prefix<digits>suffix}, new and empty, and opens it for reading and
     * writing. No permissions are given, so the file gets 0666 less the umask, as any new file.
     */
    public static synchronized Created create(Path dir, String prefix, String suffix) throws IOException {
        if (exiting) throw new IOException("the process is exiting");
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve(prefix + ThreadLocalRandom.current().nextLong(Long.MAX_VALUE) + suffix);
            try {
                FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        StandardOpenOption.READ);
                LIVE.add(temp);
                return new Created(temp, channel);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) throw e;
            }
        }
    }

    /** Creates an empty temporary file like {@link #create}, closed. */
    public static Path createEmpty(Path dir, String prefix, String suffix) throws IOException {
        Created c = create(dir, prefix, suffix);
        c.channel().close();
        return c.path();
    }

    /** Creates a new folder in the system's temporary folder, deleted with its contents at exit. */
    public static synchronized Path createDirectory(String prefix) throws IOException {
        if (exiting) throw new IOException("the process is exiting");
        Path dir = Files.createTempDirectory(prefix);
        LIVE.add(dir);
        return dir;
    }

    /** Creates a new empty folder {@code dir/prefix<digits>suffix}, deleted with its contents at exit unless forgotten. */
    public static synchronized Path createDirectory(Path dir, String prefix, String suffix) throws IOException {
        if (exiting) throw new IOException("the process is exiting");
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve(prefix + ThreadLocalRandom.current().nextLong(Long.MAX_VALUE) + suffix);
            try {
                Files.createDirectory(temp);
                LIVE.add(temp);
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) throw e;
            }
        }
    }

    /** Deletes {@code temp} (a file, or a folder with its contents; if it is there) and stops tracking it. */
    public static synchronized void delete(Path temp) throws IOException {
        try {
            deleteTree(temp);
        } finally {
            LIVE.remove(temp);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (var files = Files.walk(p)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            }
        } else {
            Files.deleteIfExists(p);
        }
    }

    /** Stops tracking {@code temp}: it was renamed into place. */
    public static synchronized void forget(Path temp) {
        LIVE.remove(temp);
    }

    /** Whether {@code temp} is tracked (tests). */
    static synchronized boolean isLive(Path temp) {
        return LIVE.contains(temp);
    }

    private static synchronized void deleteAll() {
        exiting = true;
        for (Path p : LIVE) {
            try {
                deleteTree(p);
            } catch (IOException ignored) {
                // The process is exiting; the other files still get their turn.
            }
        }
        LIVE.clear();
    }

    /** A new temporary file and its open channel. */
    public record Created(Path path, FileChannel channel) {}
}
