package dev.l2c.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.l2c.L2cException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guarantees of {@link AtomicFile} listed in README.md ("Outputs"). */
class AtomicFileTest {
    @TempDir
    Path dir;

    private static void write(AtomicFile f, String text) throws IOException {
        f.channel().write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    @Test
    void writesThroughATemporaryFileAndRenamesIt() throws Exception {
        Path target = dir.resolve("out.l2c");
        try (AtomicFile f = AtomicFile.create(target, false)) {
            write(f, "data");
            assertFalse(Files.exists(target), "the target appears only on commit");
            assertEquals(1, tempFiles().size());
            assertTrue(tempFiles().get(0).getFileName().toString().matches("\\.out\\.l2c\\.\\d+\\.tmp"), tempFiles().toString());
            f.commit();
        }
        assertEquals("data", Files.readString(target));
        assertEquals(List.of(), tempFiles());
    }

    @Test
    void closingWithoutCommitDeletesTheTemporaryFile() throws Exception {
        Path temp;
        try (AtomicFile f = AtomicFile.create(dir.resolve("out.l2c"), false)) {
            write(f, "half");
            temp = tempFiles().get(0);
            assertTrue(TempFiles.isLive(temp), "registered for deletion at exit");
        }
        assertEquals(List.of(), tempFiles());
        assertFalse(TempFiles.isLive(temp));
        assertFalse(Files.exists(dir.resolve("out.l2c")));
    }

    @Test
    void aNewOutputHonoursTheUmask() throws Exception {
        // A file created plainly gets 0666 less the umask; the output must get the same mode.
        Path plain = Files.createFile(dir.resolve("plain"));
        Path target = dir.resolve("new.l2c");
        try (AtomicFile f = AtomicFile.create(target, false)) {
            write(f, "x");
            f.commit();
        }
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(target));
    }

    @Test
    void aReplacedFileKeepsItsMode() throws Exception {
        Path target = dir.resolve("old.l2c");
        Files.writeString(target, "old");
        for (String mode : new String[] {"rw-r--r--", "rw-r-----", "rwxr-x---"}) {
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(mode));
            try (AtomicFile f = AtomicFile.create(target, true)) {
                write(f, "new " + mode);
                f.commit();
            }
            assertEquals("new " + mode, Files.readString(target));
            assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        }
    }

    @Test
    void withoutForceExactlyOneOfTwoRacingWritersWins() throws Exception {
        Path target = dir.resolve("race.l2c");
        // Both pass the check at creation (the target does not exist yet); the placement decides.
        try (AtomicFile first = AtomicFile.create(target, false); AtomicFile second = AtomicFile.create(target, false)) {
            write(first, "first");
            write(second, "second");
            first.commit();
            L2cException e = assertThrows(L2cException.class, second::commit);
            assertTrue(e.getMessage().contains("output exists"), e.getMessage());
        }
        assertEquals("first", Files.readString(target));
        assertEquals(List.of(), tempFiles());
    }

    @Test
    void anExistingOutputIsKeptWithoutForce() throws Exception {
        Path target = Files.writeString(dir.resolve("kept.l2c"), "kept");
        L2cException e = assertThrows(L2cException.class, () -> AtomicFile.create(target, false));
        assertTrue(e.getMessage().contains("output exists"), e.getMessage());
        assertEquals("kept", Files.readString(target));
    }

    @Test
    void aSymbolicLinkIsNeverReplacedEvenWithForce() throws Exception {
        Path real = Files.writeString(dir.resolve("real.bin"), "real");
        Path link = Files.createSymbolicLink(dir.resolve("link.l2c"), real);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.l2c"), dir.resolve("nowhere"));
        for (Path p : new Path[] {link, dangling}) {
            L2cException e = assertThrows(L2cException.class, () -> AtomicFile.create(p, true));
            assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
            assertTrue(Files.isSymbolicLink(p));
        }
        assertEquals("real", Files.readString(real));
        assertFalse(Files.exists(dir.resolve("nowhere")));
    }

    @Test
    void aFifoOrDeviceIsNeverReplacedEvenWithForce() throws Exception {
        Path fifo = dir.resolve("fifo.l2c");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        // Nothing is committed here: a broken check must not be able to replace /dev/null.
        for (Path p : new Path[] {fifo, Path.of("/dev/null")}) {
            try (AtomicFile f = AtomicFile.create(p, true)) {
                fail(p + " was accepted as an output"); // closing deletes the temporary file
            } catch (L2cException e) {
                assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
            }
        }
        assertTrue(Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther());
        assertEquals(List.of(), tempFiles());
        try (Stream<Path> dev = Files.list(Path.of("/dev"))) {
            assertEquals(List.of(), dev.filter(p -> p.getFileName().toString().startsWith(".null.")).toList());
        }
    }

    @Test
    void aDirectoryOrAnEmptyPathIsRefused() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        L2cException e = assertThrows(L2cException.class, () -> AtomicFile.create(sub, true));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
        e = assertThrows(L2cException.class, () -> AtomicFile.create(Path.of(""), true));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }
}
