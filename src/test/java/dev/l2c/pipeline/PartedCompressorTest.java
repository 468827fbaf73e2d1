package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.backend.CpuBackend;
import dev.l2c.testing.MiniLm;
import dev.l2c.testing.SampleFolders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model compressed in parts (each coded with one thread, as a Spark task does) and assembled is
 * the file one machine writes with every core, byte for byte; stale or damaged parts are refused.
 */
class PartedCompressorTest {
    private static final Backend ONE_THREAD = new CpuBackend(1);

    @TempDir
    Path dir;

    @Test
    void aFolderInPartsIsTheSingleMachineFileLosslessAndInBits() throws Exception {
        Path model = SampleFolders.sampleFolder(dir);
        for (CompressOptions options : List.of(CompressOptions.lossless(null, 0, 4096, false),
                CompressOptions.uniform(4, true, null, 0, 4096, false))) {
            // Parts of about 3 kB: one tensor or two each, and a blob part.
            assertPartsMatch(model, options, 3000, options.mode().attribute());
        }
    }

    @Test
    void onnxInPartsIsTheSingleMachineFile() throws Exception {
        assertPartsMatch(MiniLm.onnx(), CompressOptions.uniform(6, false, null, 0, CompressOptions.DEFAULT_CHUNK, false),
                8_000_000, "minilm");
    }

    @Test
    void aRetriedPartRewritesTheSameBytesAndStalePartsAreRefused() throws Exception {
        Path model = SampleFolders.sampleFolder(dir);
        CompressOptions options = CompressOptions.lossless(null, 0, 4096, false);
        PartedCompressor.Plan plan = PartedCompressor.plan(model, options, 3000);
        List<Path> parts = encodeAll(plan, options, "a");
        byte[] first = Files.readAllBytes(parts.get(0));
        PartedCompressor.encodePart(plan, 0, options, ONE_THREAD, parts.get(0));
        assertArrayEquals(first, Files.readAllBytes(parts.get(0)), "a retry writes the same bytes");

        // A part of other options: refused by its fingerprint, and no output is left.
        CompressOptions bits = CompressOptions.uniform(4, false, null, 0, 4096, false);
        PartedCompressor.Plan other = PartedCompressor.plan(model, bits, 3000);
        PartedCompressor.encodePart(other, 1, bits, ONE_THREAD, parts.get(1));
        Path out = dir.resolve("out.l2c");
        L2cException stale = assertThrows(L2cException.class, () -> PartedCompressor.assemble(plan, parts, out, false));
        assertTrue(stale.getMessage().contains("not part 1 of this job"), stale.getMessage());
        assertFalse(Files.exists(out));

        // A damaged payload byte: the copy's checksums differ from the part's.
        PartedCompressor.encodePart(plan, 1, options, ONE_THREAD, parts.get(1));
        byte[] bytes = Files.readAllBytes(parts.get(1));
        bytes[100] ^= 1;
        Files.write(parts.get(1), bytes);
        L2cException damaged = assertThrows(L2cException.class, () -> PartedCompressor.assemble(plan, parts, out, false));
        assertTrue(damaged.getMessage().contains("CRC mismatch"), damaged.getMessage());
        assertTrue(damaged.getMessage().contains(parts.get(1).toString()), damaged.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void baselineRatioModeIsRefused() throws Exception {
        Path model = SampleFolders.sampleFolder(dir);
        CompressOptions ratio = CompressOptions.baseline(4, RatioMethod.UNIFORM, null, 0, 4096, false);
        assertThrows(IllegalArgumentException.class, () -> PartedCompressor.plan(model, ratio, 3000));
    }

    private void assertPartsMatch(Path model, CompressOptions options, long partBytes, String label) throws Exception {
        Path single = dir.resolve(label + "-single.l2c");
        new Compressor(new CpuBackend(), Progress.NONE).compress(model, single, options);
        PartedCompressor.Plan plan = PartedCompressor.plan(model, options, partBytes);
        assertTrue(plan.parts().size() > 2, label + ": " + plan.parts().size() + " parts");
        Path parted = dir.resolve(label + "-parted.l2c");
        PartedCompressor.assemble(plan, encodeAll(plan, options, label), parted, false);
        assertArrayEquals(Files.readAllBytes(single), Files.readAllBytes(parted), label + ": the same bytes");
    }

    private List<Path> encodeAll(PartedCompressor.Plan plan, CompressOptions options, String label) throws L2cException {
        List<Path> files = new ArrayList<>();
        // Last part first: the order the parts are coded in does not matter.
        for (int i = plan.parts().size() - 1; i >= 0; i--) {
            Path f = dir.resolve(label + "-parts").resolve("part-" + i + ".l2c");
            PartedCompressor.encodePart(plan, i, options, ONE_THREAD, f);
            files.add(0, f);
        }
        return files;
    }
}
