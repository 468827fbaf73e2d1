package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.backend.Backend;
import dev.l2c.backend.Backends;
import dev.l2c.backend.Device;
import dev.l2c.calib.CalibrationSource;
import dev.l2c.calib.NetworkCalibrationSettings;
import dev.l2c.testing.Fmnist;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The step-factor baselines on the Fashion-MNIST ResNet fixture land in L2's band, [R, R / 0.99]
 * of the written file, and GPTQ lowers every layer's output error below round-to-nearest's.
 */
class BaselineBandFmnistTest {
    @TempDir
    static Path dir;

    static Backend cpu;

    @BeforeAll
    static void setUp() throws Exception {
        cpu = Backends.select(Device.CPU, m -> {});
    }

    private static CompressReport compress(CompressOptions options, NetworkCalibrationSettings network, String out)
            throws Exception {
        return new Compressor(cpu, Progress.NONE, network).compress(Fmnist.model(), dir.resolve(out), options);
    }

    private static void assertInBand(CompressReport r, double target, String out) throws Exception {
        BaselineReport b = r.baseline();
        long tensorBytes = b.originalBytes();
        long file = Files.size(dir.resolve(out));
        assertEquals(file, b.fileBytes());
        double ratio = tensorBytes / (double) file;
        assertTrue(b.reached(), b.method() + " at " + target + ": " + b.achievedRatio());
        assertTrue(ratio >= target && ratio <= target / 0.99, b.method() + " at " + target + " gave " + ratio);
        assertEquals(Double.toString(b.stepFactor()), r.summary().attributes().get(Compressor.STEP_FACTOR));
    }

    @Test
    void uniformPerTensorAndPerChannelLandInTheBand() throws Exception {
        for (boolean perChannel : new boolean[] {false, true}) {
            for (double target : new double[] {10, 30}) {
                String out = "u" + perChannel + target + ".l2c";
                CompressReport r = compress(CompressOptions.baseline(target, RatioMethod.UNIFORM, perChannel, null, 1024, 65536, true),
                        null, out);
                assertInBand(r, target, out);
                assertEquals(perChannel, r.baseline().perChannel());
                assertEquals("ratio=" + target + ",method=uniform" + (perChannel ? ",per-channel" : ""),
                        r.summary().attributes().get(Compressor.MODE));
            }
        }
    }

    @Test
    void gptqLandsInTheBandCodingEveryTensorAndBeatsRoundToNearestPerLayer() throws Exception {
        Fmnist.assumeData();
        NetworkCalibrationSettings d = NetworkCalibrationSettings.defaults(CalibrationSource.named("fmnist", null, null),
                NetworkCalibrationSettings.Kind.LAYERWISE);
        NetworkCalibrationSettings network = new NetworkCalibrationSettings(d.source(), d.objective(), 64, d.batch(), d.kdSteps(),
                d.reconSteps(), d.rounds(), d.kdLearningRate(), d.reconLearningRate(), d.features());
        // min-elements 0: every float tensor is lossy; biases have no Gram matrix and are rounded to nearest.
        CompressReport r = compress(CompressOptions.baseline(40, RatioMethod.GPTQ, null, 0, 65536, true), network, "g.l2c");
        assertInBand(r, 40, "g.l2c");
        BaselineReport b = r.baseline();
        assertTrue(b.perChannel());
        assertEquals(10, b.layers().size(), b.layers().toString()); // nine convolutions and the classifier
        for (BaselineReport.LayerError e : b.layers()) {
            assertTrue(e.gptq() > 0 && e.gptq() <= e.roundToNearest(), e.toString());
        }
        assertTrue(b.roundToNearest().keySet().stream().allMatch(n -> n.endsWith(".bias")), b.roundToNearest().toString());
        assertFalse(b.roundToNearest().isEmpty());
        for (RatioReport.Row row : b.tensors()) {
            if (row.name().endsWith(".weight") || row.name().endsWith(".bias")) assertEquals("QUANTIZED", row.kind(), row.name());
            // Biases keep at least 127 levels a side (8-bit), whatever the common factor.
            if (row.name().endsWith(".bias")) assertTrue(row.relativeError() < 1e-3, row.name() + ": " + row.relativeError());
        }
        assertTrue(b.stepFactor() > BaselineRatioCompressor.VECTOR_FACTOR, b.toString());
    }
}
