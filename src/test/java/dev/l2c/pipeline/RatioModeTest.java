package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.backend.Backends;
import dev.l2c.backend.Device;
import dev.l2c.calib.CalibrationSettings;
import dev.l2c.counter.CounterKernel;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import dev.l2c.transform.TransformKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ratio mode end to end on a small synthetic model on the CPU kernels: the written file
 * meets the target, sizes fall as targets rise, runs are byte-for-byte repeatable, decoding gives
 * the reported error, and unreachable targets are reported.
 */
class RatioModeTest {
    @TempDir
    static Path dir;

    static Backend cpu;
    static Path model;

    @BeforeAll
    static void setUp() throws Exception {
        cpu = Backends.select(Device.CPU, m -> {});
        Random rnd = new Random(42);
        List<Tensor> tensors = new ArrayList<>();
        long[][] shapes = {{128, 256}, {256, 128}, {64, 512}, {300}, {40000}};
        for (int t = 0; t < shapes.length; t++) {
            int n = 1;
            for (long d : shapes[t]) n *= (int) d;
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                double u = rnd.nextDouble() - 0.5;
                w[i] = (float) (-Math.signum(u) * Math.log(1 - 2 * Math.abs(u)) * 0.03 * (1 + t % 3));
            }
            tensors.add(Tensor.ofFloats("layer" + t + ".weight", shapes[t], w));
        }
        model = dir.resolve("model.safetensors");
        SafetensorsFile.write(model, tensors, Map.of(), false);
    }

    static CompressReport compress(double ratio, String out, int steps, boolean perChannel) throws Exception {
        return compress(TransformKind.EDGE_SCALE, ratio, out, steps, perChannel);
    }

    static CompressReport compress(TransformKind kind, double ratio, String out, int steps, boolean perChannel)
            throws Exception {
        CalibrationSettings s = new CalibrationSettings(kind, perChannel, CounterKernel.COS, 64, steps, 0.1, Double.NaN, 3);
        CompressOptions o = CompressOptions.ratio(ratio, s, null, 1024, 65536, true);
        return new Compressor(cpu, Progress.NONE).compress(model, dir.resolve(out), o);
    }

    @Test
    void writtenFilesMeetTargetsAndShrinkAsTargetsGrow() throws Exception {
        long previous = Long.MAX_VALUE;
        for (double target : new double[] {4, 8, 10, 16}) {
            CompressReport r = compress(target, "r" + target + ".l2c", 30, false);
            long size = Files.size(dir.resolve("r" + target + ".l2c"));
            assertEquals(size, r.summary().fileBytes());
            double achieved = r.summary().ratio();
            assertTrue(r.ratio().size().reached(), "target " + target + ": " + r.ratio());
            assertTrue(achieved >= target && achieved <= target * 1.02, "target " + target + " gave " + achieved);
            assertTrue(size < previous, "target " + target + ": " + size + " bytes, not below " + previous);
            previous = size;
            // The small tensor stays exact (raw: byte planes would cost more than they save on it).
            RatioReport.Row small = r.ratio().tensors().get(3);
            assertEquals("RAW", small.kind());
            assertEquals(0, small.relativeError());
        }
    }

    @Test
    void sameInputAndSeedGiveTheSameBytes() throws Exception {
        compress(10, "a.l2c", 15, true);
        compress(10, "b.l2c", 15, true);
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.l2c")), Files.readAllBytes(dir.resolve("b.l2c")));
    }

    @Test
    void decodedWeightsHaveTheReportedError() throws Exception {
        for (boolean perChannel : new boolean[] {false, true}) {
            String name = "d" + perChannel;
            CompressReport r = compress(8, name + ".l2c", 20, perChannel);
            assertDecodesToTheReportedError(r, name);
        }
    }

    /** PIECEWISE (e, s1, b, s2) learned per tensor and per channel: in the band, verified, decoded. */
    @Test
    void piecewiseReachesTheTargetAndDecodes() throws Exception {
        for (boolean perChannel : new boolean[] {false, true}) {
            String name = "p" + perChannel;
            CompressReport r = compress(TransformKind.PIECEWISE, 8, name + ".l2c", 20, perChannel);
            assertTrue(r.ratio().size().reached(), r.ratio().toString());
            assertTrue(r.summary().ratio() >= 8 && r.summary().ratio() <= 8 * 1.02, "ratio " + r.summary().ratio());
            assertEquals(perChannel ? "piecewise per-channel" : "piecewise", r.ratio().tensors().get(0).transform());
            new Verifier(cpu, Progress.NONE).verify(dir.resolve(name + ".l2c"));
            assertDecodesToTheReportedError(r, name);
        }
    }

    private static void assertDecodesToTheReportedError(CompressReport r, String name) throws Exception {
        Path back = dir.resolve(name + ".safetensors");
        new Decompressor(cpu, Progress.NONE).decompress(dir.resolve(name + ".l2c"), back, new DecompressOptions(null, null, true));
        try (SafetensorsFile original = SafetensorsFile.open(model); SafetensorsFile decoded = SafetensorsFile.open(back)) {
            for (int t = 0; t < original.tensors().size(); t++) {
                float[] w = original.tensors().get(t).toFloatArray();
                float[] v = decoded.tensors().get(t).toFloatArray();
                double num = 0;
                double den = 0;
                for (int i = 0; i < w.length; i++) {
                    num += Math.pow((double) v[i] - w[i], 2);
                    den += (double) w[i] * w[i];
                }
                RatioReport.Row row = r.ratio().tensors().get(t);
                assertEquals(row.relativeError(), num / den, 1e-9 + 1e-6 * num / den, row.name());
                if (t != 3) assertTrue(num / den > 0 && num / den < 0.2, row.name() + " error " + num / den);
            }
        }
    }

    @Test
    void unreachableTargetIsAnErrorNamingTheRange() {
        CalibrationSettings s = new CalibrationSettings(TransformKind.EDGE_SCALE, false, CounterKernel.COS, 64, 5, 0.1, Double.NaN, 3);
        CompressOptions o = CompressOptions.ratio(5000, s, null, 1024, 65536, false);
        Path out = dir.resolve("unreachable.l2c");
        L2cException e = assertThrows(L2cException.class, () -> new Compressor(cpu, Progress.NONE).compress(model, out, o));
        assertTrue(e.getMessage().startsWith("--ratio 5000 is out of reach for " + model + ": the files l2c could code "
                + "range from ratio "), e.getMessage());
        assertTrue(e.getMessage().contains("--closest"), e.getMessage());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void unreachableTargetWithClosestWritesTheClosestAndFlagsZeroedTensors() throws Exception {
        CalibrationSettings s = new CalibrationSettings(TransformKind.EDGE_SCALE, false, CounterKernel.COS, 64, 5, 0.1, Double.NaN, 3);
        CompressOptions o = CompressOptions.ratio(5000, s, null, 1024, 65536, true).withClosest();
        CompressReport tooHigh = new Compressor(cpu, Progress.NONE).compress(model, dir.resolve("high.l2c"), o);
        assertFalse(tooHigh.ratio().size().reached());
        assertTrue(tooHigh.summary().ratio() < 5000 && tooHigh.summary().ratio() > 50, "closest: " + tooHigh.summary().ratio());
        // The closest file to a ratio out of reach zeroes whole tensors: each is flagged, no other is.
        long zeroed = 0;
        for (RatioReport.Row row : tooHigh.ratio().tensors()) {
            assertEquals(row.sparsity() == 1.0, row.zeroed(), row.name());
            if (row.zeroed()) {
                zeroed++;
                assertEquals(1.0, row.relativeError(), 1e-9, row.name());
            }
        }
        assertTrue(zeroed > 0, tooHigh.ratio().tensors().toString());
    }
}
