package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGINT and SIGTERM in the middle of writing an output: a real l2c process (a child JVM) is
 * signalled while its temporary file exists, and must leave no file behind and exit 130 / 143.
 */
class SignalCleanupTest {
    @TempDir
    Path dir;

    @Test
    void sigintRemovesTheTemporaryFileAndExits130() throws Exception {
        // A job started in the background by a shell without job control inherits SIGINT ignored,
        // and so does its child: the JVM then installs no handler, and SIGINT cannot be tested.
        Assumptions.assumeFalse(ignoresSigint(), "SIGINT is ignored in this process (a background job): not testable here");
        interruptMidWrite("INT", 130);
    }

    /** Whether this process ignores SIGINT (bit 1 of SigIgn in /proc/self/status), which its children inherit. */
    private static boolean ignoresSigint() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2) != 0;
        }
        return false;
    }

    @Test
    void sigtermRemovesTheTemporaryFileAndExits143() throws Exception {
        interruptMidWrite("TERM", 143);
    }

    /**
     * 256 MB of seeded random float32 weights in 8 tensors: their lossless coding on one thread takes
     * seconds, long enough to be caught mid-write (MiniLM, read tensor by tensor, finished first).
     */
    private Path bigModel() throws Exception {
        java.util.Random rnd = new java.util.Random(42);
        List<Tensor> tensors = new java.util.ArrayList<>();
        for (int t = 0; t < 8; t++) {
            float[] v = new float[8 << 20];
            for (int i = 0; i < v.length; i++) v[i] = Float.intBitsToFloat(0x3c000000 | (rnd.nextInt() & 0x83ffffff));
            tensors.add(Tensor.ofFloats("w" + t, new long[] {v.length}, v));
        }
        Path model = dir.resolve("big.safetensors");
        SafetensorsFile.write(model, tensors, java.util.Map.of(), false);
        return model;
    }

    /**
     * Signals a compress while its temporary output exists. The signal goes through a shell started
     * beforehand and waiting for one line, so that no process has to start between seeing the
     * file and signalling. On a loaded machine the compress may still finish first (exit 0, output
     * in place): that attempt says nothing, and is tried again, up to three times.
     */
    private void interruptMidWrite(String signal, int expectedExit) throws Exception {
        Path model = bigModel();
        for (int attempt = 1; attempt <= 3; attempt++) {
            Path out = dir.resolve("out.l2c");
            Files.deleteIfExists(out);
            if (signalled(model, out, signal, expectedExit)) return;
        }
        fail("the compress finished before the signal reached it, three times");
    }

    /** One attempt; false when the compress finished before the signal reached it. */
    private boolean signalled(Path model, Path out, String signal, int expectedExit) throws Exception {
        Path log = dir.resolve("child.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // One thread keeps the lossless coding long enough to be caught mid-write.
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx2g", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "compress", model.toAbsolutePath().toString(), "-o", out.toString(), "--lossless", "--threads", "1", "--device", "cpu",
                "--no-progress");
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        Process child = pb.start();
        Process killer = new ProcessBuilder("sh", "-c", "read go; kill -" + signal + " " + child.pid()).start();
        try {
            waitForTemporaryFile(child, log);
            killer.getOutputStream().write('\n');
            killer.getOutputStream().flush();
            assertEquals(0, killer.waitFor());
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the signalled process did not exit");
            if (child.exitValue() == 0 && Files.exists(out)) return false;
            assertEquals(expectedExit, child.exitValue(), Files.readString(log));
            assertEquals(List.of(), temporaryFiles(), "temporary files left behind");
            assertFalse(Files.exists(out), "a half-written output was put in place");
            return true;
        } finally {
            child.destroyForcibly();
            killer.destroyForcibly();
        }
    }

    private void waitForTemporaryFile(Process child, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < deadline) {
            if (!temporaryFiles().isEmpty()) return;
            if (!child.isAlive()) fail("the process ended (exit " + child.exitValue() + ") before it was signalled: " + Files.readString(log));
            Thread.sleep(2);
        }
        fail("no temporary output appeared: " + Files.readString(log));
    }

    private List<Path> temporaryFiles() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("\\.out\\.l2c\\.\\d+\\.tmp")).toList();
        }
    }
}
