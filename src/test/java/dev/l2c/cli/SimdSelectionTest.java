package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.nativelib.SimdLevel;
import dev.l2c.testing.MiniLm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** L2C_SIMD and --simd cap the one SIMD level of every CPU kernel family; --version reports it. */
class SimdSelectionTest {
    @TempDir
    Path dir;

    @AfterEach
    void uncap() {
        SimdLevel.limit(SimdLevel.AVX512);
    }

    @Test
    void theOptionWinsOverTheVariable() {
        assertNull(SimdSelection.apply("scalar", "avx2"));
        assertEquals(SimdLevel.SCALAR, SimdLevel.inUse());
        assertNull(SimdSelection.apply(null, "scalar"));
        assertEquals(SimdLevel.SCALAR, SimdLevel.inUse());
    }

    @Test
    void neitherOrABlankVariableLeavesTheBestLevel() {
        SimdLevel.limit(SimdLevel.SCALAR);
        assertNull(SimdSelection.apply(null, null));
        assertEquals(SimdLevel.supported(), SimdLevel.inUse());
        SimdLevel.limit(SimdLevel.SCALAR);
        assertNull(SimdSelection.apply(null, " "));
        assertEquals(SimdLevel.supported(), SimdLevel.inUse());
    }

    @Test
    void aLevelAboveTheCpuIsClampedWithANote() {
        String note = SimdSelection.apply("AVX512", null);
        assertEquals(SimdLevel.supported(), SimdLevel.inUse());
        if (SimdLevel.supported() == SimdLevel.AVX512) assertNull(note);
        else assertEquals("note: --simd avx512: this CPU runs at most " + SimdLevel.supported().label() + "; using "
                + SimdLevel.supported().label(), note);
    }

    @Test
    void anUnknownLevelNamesItsSource() {
        IllegalArgumentException option = assertThrows(IllegalArgumentException.class, () -> SimdSelection.apply("sse4", "avx2"));
        assertEquals("--simd must be scalar, avx2 or avx512, got 'sse4'", option.getMessage());
        IllegalArgumentException env = assertThrows(IllegalArgumentException.class, () -> SimdSelection.apply(null, "fast"));
        assertEquals("L2C_SIMD must be scalar, avx2 or avx512, got 'fast'", env.getMessage());
    }

    @Test
    void theCliRefusesAnUnknownLevelAsAUsageError() {
        CliRunner r = CliRunner.run("decompress", dir.resolve("in.l2c").toString(), "-o", dir.resolve("out.safetensors").toString(),
                "--simd", "sse4");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("l2c: --simd must be scalar, avx2 or avx512, got 'sse4'"), r.err());
        assertEquals(1, CliRunner.errorLines(r.err()), r.err());
    }

    /** The demo refuses an unknown level before any work, and hands a valid one to the compress step it runs. */
    @Test
    void theDemoPassesTheLevelToItsCompressStep() {
        CliRunner r = CliRunner.run("demo", "--model", MiniLm.onnx().toString(), "--work", dir.resolve("demo").toString(),
                "--objective", "data-free", "--steps", "1", "--n", "1", "--simd", "sse4");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--simd must be scalar, avx2 or avx512, got 'sse4'"), r.err());
        assertFalse(Files.exists(dir.resolve("demo")), "nothing was started");

        picocli.CommandLine.ParseResult parsed = new picocli.CommandLine(new Main()).parseArgs("demo", "--simd", "scalar");
        DemoCommand demo = (DemoCommand) parsed.subcommand().commandSpec().userObject();
        List<String> args = demo.compressArgs(Path.of("m.onnx"), Path.of("m.l2c"));
        int at = args.indexOf("--simd");
        assertTrue(at > 0 && args.get(at + 1).equals("scalar"), args.toString());
    }

    @Test
    void versionReportsTheSupportedLevelAndTheLevelInUse() {
        CliRunner r = CliRunner.run("--version");
        assertEquals(0, r.exit(), r.err());
        String line = r.out().lines().filter(l -> l.startsWith("SIMD: ")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        assertTrue(line.contains(" in use, CPU supports " + SimdLevel.supported().label()), line);
    }
}
