package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.backend.Backend;
import dev.l2c.backend.Backends;
import dev.l2c.backend.Device;
import dev.l2c.calib.CalibrationSettings;
import dev.l2c.testing.MiniLm;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ratio control on the real weights of all-MiniLM-L6-v2 (every float tensor): each target ratio is
 * met by the written file within 2 %, larger targets give smaller files, and the counter's rate
 * estimate is within 5 % of what the rANS coder writes. Few optimizer steps keep it lean; the
 * rate control closes on the file either way.
 */
@Tag("slow")
class MiniLmRatioTest {
    private static final int STEPS = 8;

    @TempDir
    Path dir;

    @Test
    void targetsAreMetOnTheWrittenFile() throws Exception {
        Path onnx = MiniLm.onnx();
        Backend cpu = Backends.select(Device.CPU, m -> {});
        CalibrationSettings d = CalibrationSettings.defaults();
        CalibrationSettings settings = new CalibrationSettings(d.kind(), false, d.kernel(), d.resolution(), STEPS,
                d.learningRate(), d.lambda(), 0);
        long previous = Long.MAX_VALUE;
        for (double target : new double[] {4, 8, 10, 16, 32}) {
            Path out = dir.resolve("r" + (int) target + ".l2c");
            CompressReport report = new Compressor(cpu, Progress.NONE).compress(onnx, out,
                    CompressOptions.ratio(target, settings, null, CompressOptions.DEFAULT_MIN_ELEMENTS,
                            CompressOptions.DEFAULT_CHUNK, false));
            RatioReport r = report.ratio();
            long size = Files.size(out);
            double ratio = (double) r.size().originalBytes() / size;
            double estimateError = r.estimate().estimatedPayloadBytes() / r.estimate().codedPayloadBytes() - 1;
            System.out.printf("MiniLM --ratio %.0f: file %d bytes, ratio %.3f, estimate %+.2f%% of the rANS payload, "
                    + "distortion %.4f, %.1f s%n", target, size, ratio, 100 * estimateError, r.calibration().distortion(), report.seconds());
            assertEquals(size, r.size().fileBytes());
            assertTrue(Math.abs(ratio / target - 1) <= 0.02, "target " + target + ": ratio " + ratio);
            assertTrue(Math.abs(estimateError) <= 0.03, "target " + target + ": estimate off by " + estimateError);
            assertTrue(size < previous, "target " + target + " gave " + size + " bytes, not less than " + previous);
            previous = size;
            Files.delete(out);
        }
    }
}
