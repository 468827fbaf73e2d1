package dev.l2c.io;

import dev.l2c.L2cException;
import dev.l2c.OutputExistsException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * An output file written under a temporary name beside its target and put into place by
 * {@link #commit()}; closing without a commit deletes the temporary file, so a failure never
 * leaves a half-written output. The guarantees (README.md, "Outputs"):
 * <ul>
 *   <li>only a regular file is ever replaced: a directory, symbolic link, device or FIFO at the
 *       target is refused, even with {@code force} (checked without following links);</li>
 *   <li>without {@code force} the placement is atomic and never clobbers: of two writers racing to
 *       the same new target exactly one wins, the other gets "output exists";</li>
 *   <li>a new file gets 0666 less the umask; a replaced file keeps its permissions;</li>
 *   <li>the temporary file is deleted on SIGINT/SIGTERM ({@link TempFiles}).</li>
 * </ul>
 */
public final class AtomicFile implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final boolean force;
    private boolean committed;

    private AtomicFile(Path target, Path temp, FileChannel channel, boolean force) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.force = force;
    }

    /** Opens a temporary file for {@code target}; refuses an existing target unless {@code force}. */
    public static AtomicFile create(Path target, boolean force) throws L2cException {
        if (target.toString().isEmpty()) throw new L2cException("the output path is empty");
        Path absolute = target.toAbsolutePath();
        BasicFileAttributes existing = replaceable(target, absolute, force);
        Path dir = absolute.getParent();
        TempFiles.Created created;
        try {
            Files.createDirectories(dir);
            created = TempFiles.create(dir, "." + absolute.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            throw new L2cException(target + ": cannot create output: " + e.getMessage(), e);
        }
        AtomicFile file = new AtomicFile(absolute, created.path(), created.channel(), force);
        if (existing != null) file.keepPermissionsOf(absolute);
        return file;
    }

    /**
     * Checks now, before long work, what {@link #create} and {@link #commit} check again: that
     * {@code target} is absent, or a regular file and {@code force}.
     */
    public static void checkTarget(Path target, boolean force) throws L2cException {
        if (target.toString().isEmpty()) throw new L2cException("the output path is empty");
        replaceable(target, target.toAbsolutePath(), force);
    }

    /**
     * The attributes of the regular file at {@code absolute}, null where there is none; refuses
     * anything else there, and an existing file unless {@code force}.
     */
    private static BasicFileAttributes replaceable(Path shown, Path absolute, boolean force) throws L2cException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(absolute, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new L2cException(shown + ": cannot check the output: " + e.getMessage(), e);
        }
        if (a.isDirectory()) throw new L2cException(shown + ": output is a directory");
        if (a.isSymbolicLink()) throw new L2cException(shown + ": output is a symbolic link; refusing to replace it");
        if (!a.isRegularFile()) throw new L2cException(shown + ": output is not a regular file (a device or FIFO); refusing to replace it");
        if (!force) throw new OutputExistsException(shown);
        return a;
    }

    /** A replaced file keeps its mode rather than taking the new file's. */
    private void keepPermissionsOf(Path existing) throws L2cException {
        PosixFileAttributeView view = Files.getFileAttributeView(existing, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) return; // not a POSIX file system: there is no mode to keep
        try {
            Set<PosixFilePermission> mode = view.readAttributes().permissions();
            Files.setPosixFilePermissions(temp, mode);
        } catch (NoSuchFileException e) {
            // Removed meanwhile: the output is a new file after all.
        } catch (IOException e) {
            close();
            throw new L2cException(target + ": cannot copy the permissions of the existing output: " + e.getMessage(), e);
        }
    }

    public Path target() {
        return target;
    }

    public FileChannel channel() {
        return channel;
    }

    /** Flushes the data to disk and puts the temporary file in place of the target. */
    public void commit() throws L2cException {
        try {
            channel.force(true);
            channel.close();
            // Checked again: the target may have changed while the output was written.
            replaceable(target, target, force);
            if (force) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                TempFiles.forget(temp);
            } else {
                placeNew();
            }
            committed = true;
        } catch (IOException e) {
            throw new L2cException(target + ": cannot write output: " + e.getMessage(), e);
        }
    }

    /**
     * Puts the temporary file at the target only if no file is there, atomically: a hard link
     * fails when the target exists, where a rename would replace it.
     */
    private void placeNew() throws L2cException, IOException {
        try {
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            throw new OutputExistsException(target);
        } catch (IOException | UnsupportedOperationException e) {
            // A file system without hard links: a move that refuses an existing target, which
            // is checked just before the rename rather than with it.
            try {
                Files.move(temp, target);
            } catch (FileAlreadyExistsException exists) {
                throw new OutputExistsException(target);
            }
            TempFiles.forget(temp);
            return;
        }
        TempFiles.delete(temp);
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
            TempFiles.delete(temp);
        } catch (IOException ignored) {
            // Nothing more can be done for a temporary file that will not go away.
        }
    }
}
