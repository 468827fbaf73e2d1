package dev.l2c.pipeline;

import dev.l2c.calib.CalibrationSettings;
import java.util.regex.Pattern;

/**
 * What {@code compress} does to each tensor.
 *
 * @param bits uniform quantization bits (2..8), or 0 for lossless or ratio mode
 * @param keep tensors whose name matches are stored exactly; may be null
 * @param minElements float tensors with fewer elements are stored exactly ({@link #DEFAULT_MIN_ELEMENTS} 0: every
 *     float tensor is coded, and stored exact only where its coded entry would cost more)
 * @param chunkSymbols rANS chunk size in symbols (a multiple of 32)
 * @param force overwrite an existing output
 * @param perChannel quantize with one step per channel along axis 0 (rows; output channels of
 *     convolutions) instead of one step per tensor
 * @param ratio the target compression ratio of the written file (ratio mode), or 0
 * @param calibration how ratio mode learns the transforms; null unless ratio mode uses {@link RatioMethod#L2}
 * @param sparsity with bits > 0: the fraction of each lossy tensor's weights, smallest magnitudes
 *     first, set to zero before quantization (magnitude pruning); 0 for none
 * @param method how ratio mode reaches its target: the learned transform or a baseline
 * @param closest ratio mode: when the target is out of reach, write the closest file found
 *     instead of failing
 */
public record CompressOptions(int bits, Pattern keep, long minElements, int chunkSymbols, boolean force, boolean perChannel,
        double ratio, CalibrationSettings calibration, double sparsity, RatioMethod method, boolean closest) {
    public static final long DEFAULT_MIN_ELEMENTS = 0;
    public static final int DEFAULT_CHUNK = 65536;

    public CompressOptions {
        if (method == null) throw new IllegalArgumentException("method is null");
        if (ratio > 0 && method == RatioMethod.L2 && calibration == null) {
            throw new IllegalArgumentException("ratio mode needs calibration settings");
        }
        if (!(sparsity >= 0 && sparsity < 1)) throw new IllegalArgumentException("sparsity must be in [0, 1), got " + sparsity);
        if (sparsity > 0 && bits == 0) throw new IllegalArgumentException("sparsity needs uniform quantization (bits > 0)");
    }

    /** Uniform (bits > 0) or lossless (bits = 0) options. */
    public CompressOptions(int bits, Pattern keep, long minElements, int chunkSymbols, boolean force, boolean perChannel) {
        this(bits, keep, minElements, chunkSymbols, force, perChannel, 0, null, 0, RatioMethod.L2, false);
    }

    /** These uniform options with magnitude pruning of {@code sparsity} before quantization. */
    public CompressOptions withSparsity(double sparsity) {
        return new CompressOptions(bits, keep, minElements, chunkSymbols, force, perChannel, ratio, calibration, sparsity, method,
                closest);
    }

    /** These ratio options, writing the closest file when the target is out of reach. */
    public CompressOptions withClosest() {
        if (!ratioMode()) throw new IllegalArgumentException("closest applies to ratio mode");
        return new CompressOptions(bits, keep, minElements, chunkSymbols, force, perChannel, ratio, calibration, sparsity, method,
                true);
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
        if (perChannel && method != RatioMethod.UNIFORM) {
            throw new IllegalArgumentException("per-channel applies to the uniform baseline (gptq is always per channel)");
        }
        return new CompressOptions(0, keep, minElements, chunkSymbols, force, perChannel, ratio, null, 0, method, false);
    }

    /** Ratio mode: learned transforms calibrated until the file is {@code ratio} times smaller. */
    public static CompressOptions ratio(double ratio, CalibrationSettings calibration, Pattern keep, long minElements,
            int chunkSymbols, boolean force) {
        return new CompressOptions(0, keep, minElements, chunkSymbols, force, calibration.perChannel(), ratio, calibration, 0,
                RatioMethod.L2, false);
    }

    public boolean ratioMode() {
        return ratio > 0;
    }

    public boolean lossless() {
        return bits == 0 && !ratioMode();
    }

    public boolean keepsExact(String name, long elements) {
        return lossless() || elements < minElements || (keep != null && keep.matcher(name).find());
    }

    /** The MODE attribute recorded in the file. */
    String modeAttribute() {
        if (ratioMode()) {
            return "ratio=" + ratio + (method == RatioMethod.L2 ? "" : ",method=" + method.label())
                    + (method == RatioMethod.UNIFORM && perChannel ? ",per-channel" : "");
        }
        if (lossless()) return "lossless";
        return "bits=" + bits + (sparsity > 0 ? ",sparsity=" + sparsity : "");
    }
}
