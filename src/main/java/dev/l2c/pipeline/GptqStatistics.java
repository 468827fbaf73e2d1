package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.calib.CalibrationData;
import dev.l2c.calib.LayerGram;
import dev.l2c.calib.LayerStatistics;
import dev.l2c.calib.NetworkCalibrationSettings;
import dev.l2c.graph.OnnxExecutor;
import dev.l2c.model.ModelFiles;
import dev.l2c.model.OnnxModel;
import java.util.Map;

/**
 * The input Gram matrices GPTQ rounds with: the layer-wise objective's statistics
 * ({@link LayerStatistics}), gathered by its pass over the calibration data through the network.
 * The data set is opened with seed 0, so the same command gives the same file.
 */
final class GptqStatistics implements AutoCloseable {
    /** Pass size (no gradients): as the calibrator's statistics pass. */
    private static final int PASS_BATCH = 64;

    private final LayerStatistics statistics;

    private GptqStatistics(LayerStatistics statistics) {
        this.statistics = statistics;
    }

    /** Runs the calibration data of {@code settings} through {@code source} and collects H for the {@code weights}. */
    static GptqStatistics collect(SourceModel source, NetworkCalibrationSettings settings, Map<String, long[]> weights,
            Progress progress) throws L2cException {
        if (source.format() != ModelFiles.Format.ONNX) {
            throw new L2cException(source.path() + ": --method gptq needs an ONNX model (the network is run on the calibration "
                    + "data); this is " + source.format().name().toLowerCase(java.util.Locale.ROOT));
        }
        OnnxModel model = OnnxModel.read(source.path());
        LayerStatistics statistics = null;
        try (OnnxExecutor executor = OnnxExecutor.of(model)) {
            CalibrationData data = settings.source().open(model, settings.calibSize(), 0);
            statistics = new LayerStatistics(model.proto().getGraph(), weights);
            try (Progress.Task task = progress.start("layer statistics", data.size(), "samples")) {
                statistics.collect(executor, data, PASS_BATCH, nanos -> {}, task::advance);
            }
            return new GptqStatistics(statistics);
        } catch (L2cException | RuntimeException e) {
            if (statistics != null) statistics.close();
            throw e;
        }
    }

    Map<String, LayerGram> grams() {
        return statistics.grams();
    }

    /** The lossy tensors rounded to nearest, and why (no linear layer multiplies them as modelled). */
    Map<String, String> fallbacks() {
        return statistics.fallbacks();
    }

    @Override
    public void close() {
        statistics.close();
    }
}
