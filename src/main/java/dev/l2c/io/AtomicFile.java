package dev.l2c.io;

import dev.l2c.L2cException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An output file written under a temporary name beside its target and renamed into place by
 * {@link #commit()}; closing without a commit deletes the temporary file, so a failure never
 * leaves a half-written output.
 */
public final class AtomicFile implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private boolean committed;

    private AtomicFile(Path target, Path temp, FileChannel channel) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
    }

    /** Opens a temporary file for {@code target}; refuses an existing target unless {@code force}. */
    public static AtomicFile create(Path target, boolean force) throws L2cException {
        Path absolute = target.toAbsolutePath();
        if (Files.exists(absolute) && !force) {
            throw new L2cException(target + ": output exists (use --force to overwrite)");
        }
        if (Files.isDirectory(absolute)) {
            throw new L2cException(target + ": output is a directory");
        }
        Path dir = absolute.getParent();
        try {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
            FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.READ);
            return new AtomicFile(absolute, temp, channel);
        } catch (IOException e) {
            throw new L2cException(target + ": cannot create output: " + e.getMessage(), e);
        }
    }

    public Path target() {
        return target;
    }

    public FileChannel channel() {
        return channel;
    }

    /** Flushes the data to disk and renames the temporary file over the target. */
    public void commit() throws L2cException {
        try {
            channel.force(true);
            channel.close();
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            committed = true;
        } catch (IOException e) {
            throw new L2cException(target + ": cannot write output: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (committed) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // The temporary file is deleted below either way.
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // Nothing more can be done for a temporary file that will not go away.
        }
    }
}
