package dev.l2c.io;

import dev.l2c.L2cException;
import dev.l2c.OutputExistsException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A folder written as a whole or not at all: its files go into a temporary folder beside the
 * target, which {@link #commit} renames into place. Until then a failure, or a signal (see
 * {@link TempFiles}), leaves no partial folder behind, and an existing target is untouched.
 */
public final class AtomicFolder implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final boolean force;
    private boolean committed;

    private AtomicFolder(Path target, Path temp, boolean force) {
        this.target = target;
        this.temp = temp;
        this.force = force;
    }

    /** A new temporary folder for {@code target}; refuses an existing target unless {@code force}. */
    public static AtomicFolder create(Path target, boolean force) throws L2cException {
        checkTarget(target, force);
        Path absolute = target.toAbsolutePath().normalize();
        if (absolute.getParent() == null) throw new L2cException(target + ": the root cannot be an output folder");
        try {
            Files.createDirectories(absolute.getParent());
            Path temp = TempFiles.createDirectory(absolute.getParent(), "." + absolute.getFileName() + ".", ".tmp");
            return new AtomicFolder(absolute, temp, force);
        } catch (IOException e) {
            throw new L2cException(target + ": cannot create output folder: " + e.getMessage(), e);
        }
    }

    /**
     * Checks that {@code target} is absent, or (with {@code force}) a folder or regular file to
     * replace; a symbolic link is refused, as {@link AtomicFile} refuses one.
     */
    public static void checkTarget(Path target, boolean force) throws L2cException {
        if (target.toString().isEmpty()) throw new L2cException("the output path is empty");
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(target.toAbsolutePath().normalize(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new L2cException(target + ": cannot check the output: " + e.getMessage(), e);
        }
        if (a.isSymbolicLink()) throw new L2cException(target + ": output is a symbolic link; refusing to replace it");
        if (!a.isDirectory() && !a.isRegularFile()) {
            throw new L2cException(target + ": output is not a folder or regular file; refusing to replace it");
        }
        if (!force) throw new OutputExistsException(target);
    }

    /** The temporary folder to write into. */
    public Path dir() {
        return temp;
    }

    /**
     * Renames the temporary folder to the target. A target replaced under {@code force} is first
     * renamed aside and deleted only once the new folder is in place, so a crash in between
     * leaves it (hidden, beside the target) rather than losing it.
     */
    public void commit() throws L2cException {
        try {
            checkTarget(target, force);
            Path old = null;
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                old = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".old");
                Files.move(target, old);
            }
            try {
                Files.move(temp, target);
            } catch (FileAlreadyExistsException e) {
                throw new OutputExistsException(target);
            }
            TempFiles.forget(temp);
            committed = true;
            // Deleted without following links: a link inside the old folder goes, not what it points to.
            if (old != null) TempFiles.delete(old);
        } catch (IOException e) {
            throw new L2cException(target + ": cannot put the output folder in place: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (committed) return;
        try {
            TempFiles.delete(temp);
        } catch (IOException ignored) {
            // Deleted at exit by TempFiles' hook at the latest.
        }
    }
}
