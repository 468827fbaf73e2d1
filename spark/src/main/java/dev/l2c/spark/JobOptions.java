package dev.l2c.spark;

import dev.l2c.calib.CalibrationSettings;
import dev.l2c.pipeline.CompressOptions;
import java.io.Serializable;
import java.util.regex.Pattern;

/**
 * The compress options of a Spark job, in a form Spark ships to executors (CompressOptions holds a
 * compiled pattern and is not Serializable); each side builds the same {@link CompressOptions}.
 *
 * @param bits 0 for lossless (or ratio), else uniform quantization with this many bits
 * @param ratio 0, or data-free L2 ratio mode with this target (the CLI's default calibration)
 * @param perChannel with bits or ratio: one step (transform) per output channel
 * @param sparsity with bits: magnitude pruning before quantization (0: none)
 * @param seed with ratio: the calibration seed recorded in the file
 * @param keep tensors whose name matches are stored exactly; null for none
 * @param minElements float tensors with fewer elements are stored exactly
 * @param chunkSymbols rANS chunk size in symbols
 * @param closest with ratio: write the closest file when the target is out of reach (else that is an error)
 * @param graph store an ONNX model's graph in the file (as {@code l2c compress} does unless {@code --no-graph})
 */
public record JobOptions(int bits, double ratio, boolean perChannel, double sparsity, long seed, String keep, long minElements,
        int chunkSymbols, boolean closest, boolean graph) implements Serializable {
    /** Lossless, with the CLI's defaults. */
    public static JobOptions lossless() {
        return new JobOptions(0, 0, false, 0, 0, null, CompressOptions.DEFAULT_MIN_ELEMENTS, CompressOptions.DEFAULT_CHUNK, false, true);
    }

    /** {@code --bits bits}, with the CLI's defaults. */
    public static JobOptions bits(int bits, boolean perChannel) {
        return new JobOptions(bits, 0, perChannel, 0, 0, null, CompressOptions.DEFAULT_MIN_ELEMENTS, CompressOptions.DEFAULT_CHUNK, false, true);
    }

    /** Data-free {@code --ratio ratio --seed seed}, with the CLI's defaults. */
    public static JobOptions ratio(double ratio, long seed) {
        return new JobOptions(0, ratio, false, 0, seed, null, CompressOptions.DEFAULT_MIN_ELEMENTS, CompressOptions.DEFAULT_CHUNK, false, true);
    }

    /** The options {@code l2c compress} builds from the same command line; checks them. */
    public CompressOptions compressOptions(boolean force) {
        if (closest && ratio == 0) throw new IllegalArgumentException("--closest needs --ratio");
        CompressOptions options = modeOptions(force);
        if (closest) options = options.withClosest();
        return graph ? options : options.withoutGraph();
    }

    private CompressOptions modeOptions(boolean force) {
        Pattern pattern = keep == null ? null : Pattern.compile(keep);
        if (ratio != 0) {
            if (bits != 0 || sparsity > 0) throw new IllegalArgumentException("--ratio goes without --bits and --sparsity");
            CalibrationSettings d = CalibrationSettings.defaults();
            CalibrationSettings s = new CalibrationSettings(d.kind(), perChannel, d.kernel(), d.resolution(), d.steps(), d.learningRate(),
                    d.lambda(), seed);
            return CompressOptions.ratio(ratio, s, pattern, minElements, chunkSymbols, force);
        }
        if (bits == 0) {
            if (perChannel || sparsity > 0) throw new IllegalArgumentException("--per-channel and --sparsity need --bits");
            return CompressOptions.lossless(pattern, minElements, chunkSymbols, force);
        }
        CompressOptions options = CompressOptions.uniform(bits, perChannel, pattern, minElements, chunkSymbols, force);
        return sparsity > 0 ? options.withSparsity(sparsity) : options;
    }
}
