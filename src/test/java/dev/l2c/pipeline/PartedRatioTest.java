package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.backend.CpuBackend;
import dev.l2c.calib.CalibrationSettings;
import dev.l2c.testing.SampleFolders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-free ratio mode in parts, its passes run in a loop here (the Spark job runs them as
 * stages): the file has the target ratio within the band, sized exactly before it is assembled,
 * and the same plan gives the same bytes again (a retried task rewrites the same part).
 */
class PartedRatioTest {
    private static final Backend ONE_THREAD = new CpuBackend(1);

    @TempDir
    Path dir;

    @Test
    void aFolderInPartsReachesTheRatioBandReproducibly() throws Exception {
        Path model = SampleFolders.sampleFolder(dir);
        CompressOptions options = CompressOptions.ratio(2.5, CalibrationSettings.defaults(), null, 0, 4096, false);
        PartedCompressor.Plan plan = PartedCompressor.plan(model, options, 3000);
        assertTrue(plan.parts().size() > 2, plan.parts().size() + " parts");
        byte[] first = null;
        for (String run : List.of("a", "b")) {
            PartedRatio.Outcome o = PartedRatio.search(plan, options, passes(plan, options, run));
            assertTrue(o.reached(), "rounds " + o.rounds());
            Path out = dir.resolve(run + ".l2c");
            List<Path> parts = partFiles(plan, run, o.chosen().round());
            long predicted = PartedCompressor.assembledBytes(plan, parts);
            ContainerSummary summary = PartedCompressor.assemble(plan, parts, out, false);
            assertEquals(predicted, summary.fileBytes(), "sized exactly from the parts");
            double ratio = plan.ratioBytes() / (double) summary.fileBytes();
            assertTrue(ratio >= 2.5 && ratio <= 2.5 / (1 - PartedRatio.TOLERANCE), "ratio " + ratio);
            byte[] bytes = Files.readAllBytes(out);
            if (first == null) first = bytes;
            else assertTrue(java.util.Arrays.equals(first, bytes), "the same plan gives the same file");
        }
    }

    @Test
    void baselineRatioMethodsAreRefused() throws Exception {
        Path model = SampleFolders.sampleFolder(dir);
        CompressOptions baseline = CompressOptions.baseline(4, RatioMethod.UNIFORM, null, 0, 4096, false);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> PartedCompressor.plan(model, baseline, 3000));
    }

    /** Every part in turn on this machine, as a Spark stage runs them on executors. */
    private PartedRatio.Passes passes(PartedCompressor.Plan plan, CompressOptions options, String run) {
        return new PartedRatio.Passes() {
            @Override
            public List<PartedRatio.PartPoint> run(double lambda, double rateTarget, int round) throws L2cException {
                List<PartedRatio.PartPoint> points = new ArrayList<>();
                List<Path> files = PartedRatioTest.this.partFiles(plan, run, round);
                for (int i = plan.parts().size() - 1; i >= 0; i--) {
                    points.add(PartedRatio.calibratePart(plan, i, options, lambda, rateTarget, ONE_THREAD, files.get(i)));
                }
                return points;
            }

            @Override
            public List<Path> partFiles(int round) {
                return PartedRatioTest.this.partFiles(plan, run, round);
            }
        };
    }

    private List<Path> partFiles(PartedCompressor.Plan plan, String run, int round) {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < plan.parts().size(); i++) files.add(dir.resolve(run + "-round-" + round).resolve("part-" + i + ".l2c"));
        return files;
    }
}
