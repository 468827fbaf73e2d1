package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliUsageTest {
    @TempDir
    Path dir;

    @Test
    void missingModeIsAUsageError() {
        CliRunner r = CliRunner.run("compress", "in.onnx", "-o", dir.resolve("x.l2c").toString());
        assertEquals(2, r.exit(), r.err());
        // One line that names what is wrong and where the help is, not the whole help.
        assertEquals(1, CliRunner.errorLines(r.err()), r.err());
        assertTrue(r.err().startsWith("l2c: ") && r.err().contains("'l2c compress --help'"), r.err());
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : new String[] {"compress", "decompress", "inspect", "verify", "compare", "eval", "demo"}) {
            CliRunner r = CliRunner.run(cmd, "--help");
            assertEquals(0, r.exit(), cmd + ": " + r.err());
            assertTrue(r.out().contains("Usage: l2c " + cmd), r.out());
        }
    }

    @Test
    void ratioOptionsAreChecked() {
        assertEquals(2, CliRunner.run("compress", "in.onnx", "-o", "x.l2c", "--ratio", "0.5").exit());
        assertEquals(2, CliRunner.run("compress", "in.onnx", "-o", "x.l2c", "--ratio", "10", "--kernel", "gauss").exit());
        assertEquals(2, CliRunner.run("compress", "in.onnx", "-o", "x.l2c", "--bits", "8", "--report", "r.json").exit());
        CliRunner badTransform = CliRunner.run("compress", "in.onnx", "-o", "x.l2c", "--ratio", "10", "--transform", "log");
        assertEquals(2, badTransform.exit());
        assertTrue(badTransform.err().contains("--transform"), badTransform.err());
        assertEquals(2, CliRunner.run("compress", "in.onnx", "-o", "x.l2c", "--bits", "8", "--transform", "piecewise").exit());
    }

    @Test
    void bothModesIsAUsageError() {
        CliRunner r = CliRunner.run("compress", "in.onnx", "-o", "x.l2c", "--bits", "8", "--lossless");
        assertEquals(2, r.exit(), r.err());
    }

    @Test
    void bitsOutOfRangeNamesTheOption() {
        CliRunner r = CliRunner.run("compress", "in.onnx", "-o", "x.l2c", "--bits", "9");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--bits"), r.err());
    }

    @Test
    void unknownDeviceNamesTheOption() {
        CliRunner r = CliRunner.run("compress", "in.onnx", "-o", "x.l2c", "--bits", "8", "--device", "tpu");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--device"), r.err());
    }

    @Test
    void missingInputFailsWithOneLineNamingTheFile() {
        Path missing = dir.resolve("nope.onnx");
        CliRunner r = CliRunner.run("compress", missing.toString(), "-o", dir.resolve("x.l2c").toString(), "--bits", "8");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("nope.onnx"), r.err());
        assertEquals(1, CliRunner.errorLines(r.err()), r.err());
        assertFalse(Files.exists(dir.resolve("x.l2c")));
    }

    /** ONNX output takes the graph stored in the file (StoredGraphCliTest); --model applies to ONNX output only. */
    @Test
    void modelIsOnlyForOnnxOutput() {
        CliRunner r = CliRunner.run("decompress", "x.l2c", "-o", "y.safetensors", "--model", "m.onnx");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--model is only used for ONNX output"), r.err());
    }

    /** An output that is neither .safetensors nor .onnx is a folder, which only a .l2c made from a folder has. */
    @Test
    void aFolderOutputNeedsAFileMadeFromAFolder() throws Exception {
        Path l2c = dir.resolve("x.l2c");
        CliRunner c = CliRunner.run("compress", "src/test/resources/models/fmnist-vit.onnx", "-o", l2c.toString(), "--bits", "8");
        assertEquals(0, c.exit(), c.err());
        CliRunner r = CliRunner.run("decompress", l2c.toString(), "-o", dir.resolve("y.bin").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("was made from one model file, not a folder: name the output OUT.safetensors"), r.err());
        assertFalse(Files.exists(dir.resolve("y.bin")));
    }

    @Test
    void garbageContainerFailsCleanly() throws Exception {
        Path bad = dir.resolve("bad.l2c");
        Files.write(bad, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        for (String cmd : new String[] {"inspect", "verify"}) {
            CliRunner r = CliRunner.run(cmd, bad.toString());
            assertEquals(1, r.exit(), cmd + ": " + r.err());
            assertTrue(r.err().contains("bad.l2c"), r.err());
        }
    }
}
