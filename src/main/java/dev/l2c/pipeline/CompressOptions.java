package dev.l2c.pipeline;

import dev.l2c.calib.CalibrationSettings;
import java.util.regex.Pattern;

/**
 * How {@code compress} treats each tensor: the {@link CompressMode} and what applies in every mode.
 *
 * @param mode lossless, uniform bits or a target ratio
 * @param keep tensors whose name matches are stored exactly; may be null
 * @param minElements float tensors with fewer elements are stored exactly ({@link #DEFAULT_MIN_ELEMENTS} 0: every
 *     float tensor is coded, and stored exact only where its coded entry would cost more)
 * @param chunkSymbols rANS chunk size in symbols (a multiple of 32)
 * @param force overwrite an existing output
 * @param graph store an ONNX model's graph (its structure, without the weights the file holds) in the
 *     file, so that the file alone gives the ONNX model back (docs/FORMAT.md, "ONNX graphs")
 */
public record CompressOptions(CompressMode mode, Pattern keep, long minElements, int chunkSymbols, boolean force,
        boolean graph) {
    public static final long DEFAULT_MIN_ELEMENTS = 0;
    public static final int DEFAULT_CHUNK = 65536;

    public CompressOptions {
        if (mode == null) throw new IllegalArgumentException("mode is null");
    }

    /** Lossless options. */
    public static CompressOptions lossless(Pattern keep, long minElements, int chunkSymbols, boolean force) {
        return new CompressOptions(new CompressMode.Lossless(), keep, minElements, chunkSymbols, force, true);
    }

    /** Uniform {@code bits}-bit quantization, per tensor or per channel, without pruning. */
    public static CompressOptions uniform(int bits, boolean perChannel, Pattern keep, long minElements, int chunkSymbols,
            boolean force) {
        return new CompressOptions(new CompressMode.Uniform(bits, perChannel, 0), keep, minElements, chunkSymbols, force, true);
    }

    /** These uniform options with magnitude pruning of {@code sparsity} before quantization. */
    public CompressOptions withSparsity(double sparsity) {
        if (!(mode instanceof CompressMode.Uniform u)) throw new IllegalArgumentException("sparsity needs uniform quantization (bits)");
        return new CompressOptions(new CompressMode.Uniform(u.bits(), u.perChannel(), sparsity), keep, minElements, chunkSymbols, force, graph);
    }

    /** These ratio options, writing the closest file when the target is out of reach. */
    public CompressOptions withClosest() {
        return new CompressOptions(ratioMode().withClosest(), keep, minElements, chunkSymbols, force, graph);
    }

    /** Ratio mode with a baseline lossy step ({@link RatioMethod#UNIFORM}, {@link RatioMethod#PRUNE} or {@link RatioMethod#GPTQ}). */
    public static CompressOptions baseline(double ratio, RatioMethod method, Pattern keep, long minElements, int chunkSymbols,
            boolean force) {
        return baseline(ratio, method, false, keep, minElements, chunkSymbols, force);
    }

    /** As {@link #baseline(double, RatioMethod, Pattern, long, int, boolean)}; {@code perChannel}: uniform steps per output channel. */
    public static CompressOptions baseline(double ratio, RatioMethod method, boolean perChannel, Pattern keep, long minElements,
            int chunkSymbols, boolean force) {
        if (method == RatioMethod.L2) throw new IllegalArgumentException("L2 ratio mode needs calibration settings");
        return new CompressOptions(new CompressMode.Ratio(ratio, method, perChannel, null, false), keep, minElements, chunkSymbols,
                force, true);
    }

    /** Ratio mode: learned transforms calibrated until the file is {@code ratio} times smaller. */
    public static CompressOptions ratio(double ratio, CalibrationSettings calibration, Pattern keep, long minElements,
            int chunkSymbols, boolean force) {
        return new CompressOptions(new CompressMode.Ratio(ratio, RatioMethod.L2, calibration.perChannel(), calibration, false),
                keep, minElements, chunkSymbols, force, true);
    }

    /** These options without the ONNX graph: the file holds only the weights (and needs the original model for ONNX output). */
    public CompressOptions withoutGraph() {
        return new CompressOptions(mode, keep, minElements, chunkSymbols, force, false);
    }

    /** The ratio mode; only for options in ratio mode. */
    public CompressMode.Ratio ratioMode() {
        if (mode instanceof CompressMode.Ratio r) return r;
        throw new IllegalStateException("not in ratio mode: " + mode.attribute());
    }

    public boolean lossless() {
        return mode instanceof CompressMode.Lossless;
    }

    /** Whether {@code name} is stored exact whatever the mode: lossless mode, too small, or matching {@code keep}. */
    public boolean keepsExact(String name, long elements) {
        return lossless() || elements < minElements || (keep != null && keep.matcher(name).find());
    }
}
