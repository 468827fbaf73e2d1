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
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import dev.l2c.transform.MagnitudePruner;
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
 * The baselines on a small synthetic model (CPU): --bits with --sparsity, and ratio mode with
 * --method uniform and prune. Sizes are measured on the written files.
 */
class BaselineRatioTest {
    @TempDir
    static Path dir;

    static Backend cpu;
    static Path model;
    static long originalBytes;

    @BeforeAll
    static void setUp() throws Exception {
        cpu = Backends.select(Device.CPU, m -> {});
        Random rnd = new Random(7);
        List<Tensor> tensors = new ArrayList<>();
        long[][] shapes = {{96, 128}, {128, 64}, {200}, {32, 3, 3, 16}};
        for (int t = 0; t < shapes.length; t++) {
            int n = 1;
            for (long d : shapes[t]) n *= (int) d;
            float[] w = new float[n];
            for (int i = 0; i < n; i++) w[i] = (float) (rnd.nextGaussian() * 0.05 * (1 + t));
            tensors.add(Tensor.ofFloats("layer" + t + ".weight", shapes[t], w));
            originalBytes += 4L * n;
        }
        model = dir.resolve("model.safetensors");
        SafetensorsFile.write(model, tensors, Map.of(), false);
    }

    static CompressReport compress(CompressOptions options, String out) throws Exception {
        return new Compressor(cpu, Progress.NONE).compress(model, dir.resolve(out), options);
    }

    static CompressOptions baseline(double ratio, RatioMethod method) {
        return CompressOptions.baseline(ratio, method, null, 1024, 65536, true);
    }

    @Test
    void moreSparsityGivesASmallerFileWithAtLeastThatManyZeros() throws Exception {
        long previous = Long.MAX_VALUE;
        for (double s : new double[] {0, 0.2, 0.5, 0.8, 0.95}) {
            CompressOptions o = CompressOptions.uniform(6, false, null, 1024, 65536, true).withSparsity(s);
            ContainerSummary summary = compress(o, "s" + s + ".l2c").summary();
            assertTrue(summary.fileBytes() < previous, "sparsity " + s + ": " + summary.fileBytes() + " >= " + previous);
            previous = summary.fileBytes();
            for (TensorRow row : summary.tensors()) {
                if (row.kind().equals("quantized")) {
                    double pruned = MagnitudePruner.prunedCount(row.elements(), s) / (double) row.elements();
                    assertTrue(row.zeroFraction() >= pruned, row.name() + ": zeros " + row.zeroFraction() + " < " + pruned);
                }
            }
            assertEquals(s > 0 ? "bits=6,sparsity=" + s : "bits=6", summary.attributes().get(Compressor.MODE));
        }
    }

    @Test
    void prunedFileDecodesToZerosWhereTheSmallestWeightsWere() throws Exception {
        compress(CompressOptions.uniform(8, false, null, 1024, 65536, true).withSparsity(0.6), "p.l2c");
        Path back = dir.resolve("p.safetensors");
        new Decompressor(cpu, Progress.NONE).decompress(dir.resolve("p.l2c"), back, new DecompressOptions(null, null, true));
        try (SafetensorsFile original = SafetensorsFile.open(model); SafetensorsFile decoded = SafetensorsFile.open(back)) {
            float[] w = original.tensors().get(0).toFloatArray();
            float[] v = decoded.tensors().get(0).toFloatArray();
            float[] pruned = new MagnitudePruner("t", w).prune(0.6);
            float step = 0;
            for (float x : w) step = Math.max(step, Math.abs(x) / 127);
            for (int i = 0; i < w.length; i++) {
                if (pruned[i] == 0f) assertEquals(0f, v[i], "element " + i);
                else assertEquals(w[i], v[i], step / 2 * 1.001, "element " + i);
            }
        }
    }

    @Test
    void uniformMeetsTheBandAndDecodesToTheReportedError() throws Exception {
        for (boolean perChannel : new boolean[] {false, true}) {
            for (double target : new double[] {6, 10}) {
                String name = "uniform" + perChannel + target;
                CompressReport r = compress(CompressOptions.baseline(target, RatioMethod.UNIFORM, perChannel, null, 1024, 65536, true),
                        name + ".l2c");
                BaselineReport b = r.baseline();
                double achieved = originalBytes / (double) Files.size(dir.resolve(name + ".l2c"));
                assertTrue(b.reached(), b.toString());
                assertTrue(achieved >= target && achieved <= target / 0.99, "target " + target + " gave " + achieved);
                assertEquals(r.summary().ratio(), b.achievedRatio(), 1e-12);
                assertTrue(b.stepFactor() > 0 && b.bits() == 0, b.toString());
                Map<String, String> a = r.summary().attributes();
                assertEquals("uniform", a.get(Compressor.METHOD));
                assertEquals(Double.toString(b.stepFactor()), a.get(Compressor.STEP_FACTOR));
                // The largest step is the factor times the tensor's max|w| (per tensor and per channel alike).
                try (SafetensorsFile original = SafetensorsFile.open(model)) {
                    float[] w = original.tensors().get(0).toFloatArray();
                    float max = 0;
                    for (int i = 0; i < w.length; i++) max = Math.max(max, Math.abs(w[i]));
                    assertEquals((float) (b.stepFactor() * max), (float) b.tensors().get(0).step(), 1e-6 * max);
                }
                assertDecodesToReportedErrors(b, name);
            }
        }
    }

    @Test
    void pruneMeetsTheBandWithTheLowestErrorAndDecodesToIt() throws Exception {
        for (double target : new double[] {8, 12}) {
            String name = "prune" + target;
            CompressReport r = compress(baseline(target, RatioMethod.PRUNE), name + ".l2c");
            BaselineReport b = r.baseline();
            double achieved = originalBytes / (double) Files.size(dir.resolve(name + ".l2c"));
            assertTrue(b.reached(), b.toString());
            assertTrue(achieved >= target && achieved <= target / 0.99, "target " + target + " gave " + achieved);
            assertEquals(5, b.candidates().size());
            for (BaselineReport.Candidate c : b.candidates()) {
                if (c.inBand()) assertTrue(b.distortion() <= c.distortion(), c + " beats the choice " + b);
            }
            assertTrue(b.sparsity() > 0 && b.bits() >= 4 && b.bits() <= 8, b.toString());
            assertEquals(Double.toString(b.sparsity()), r.summary().attributes().get(Compressor.SPARSITY));
            assertEquals(Integer.toString(b.bits()), r.summary().attributes().get(Compressor.BITS));
            assertDecodesToReportedErrors(b, name);
        }
    }

    /** The reported per-tensor and total weight errors are the decoded file's. */
    private static void assertDecodesToReportedErrors(BaselineReport b, String name) throws Exception {
        Path back = dir.resolve(name + ".safetensors");
        new Decompressor(cpu, Progress.NONE).decompress(dir.resolve(name + ".l2c"), back,
                new DecompressOptions(null, null, true));
        double total = 0;
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
                assertEquals(b.tensors().get(t).relativeError(), num / den, 1e-9 + 1e-6 * num / den);
                total += num / den;
            }
        }
        assertEquals(b.distortion(), total, 1e-6 * total);
    }

    @Test
    void sameInputGivesTheSameBytes() throws Exception {
        compress(baseline(10, RatioMethod.PRUNE), "a.l2c");
        compress(baseline(10, RatioMethod.PRUNE), "b.l2c");
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.l2c")), Files.readAllBytes(dir.resolve("b.l2c")));
    }

    @Test
    void unreachableTargetsAreErrorsNamingTheRange() {
        for (double target : new double[] {3000, 1.5}) {
            Path out = dir.resolve("unreachable.l2c");
            CompressOptions o = CompressOptions.baseline(target, RatioMethod.PRUNE, null, 1024, 65536, false);
            L2cException e = assertThrows(L2cException.class, () -> new Compressor(cpu, Progress.NONE).compress(model, out, o));
            String shown = target == 3000 ? "3000" : "1.5";
            assertTrue(e.getMessage().startsWith("--ratio " + shown + " is out of reach for " + model + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("range from ratio") && e.getMessage().contains("--closest"), e.getMessage());
            assertFalse(Files.exists(out), "nothing written");
        }
    }

    @Test
    void unreachableTargetsWithClosestWriteTheClosest() throws Exception {
        BaselineReport high = compress(baseline(3000, RatioMethod.PRUNE).withClosest(), "high.l2c").baseline();
        assertFalse(high.reached());
        assertTrue(high.achievedRatio() > 20 && high.achievedRatio() < 3000, high.toString());
        // Below 8-bit uniform's ratio, pruning cannot make the file larger.
        BaselineReport low = compress(baseline(1.5, RatioMethod.PRUNE).withClosest(), "low.l2c").baseline();
        assertFalse(low.reached());
        assertEquals(8, low.bits());
        assertEquals(0, low.sparsity());
    }
}
