package dev.l2c.pipeline;

import dev.l2c.calib.CalibrationSettings;
import java.util.regex.Pattern;

/**
 * What {@code compress} does to each tensor.
 *
 * @param bits uniform quantization bits (2..8), or 0 for lossless or ratio mode
 * @param keep tensors whose name matches are stored exactly; may be null
 * @param minElements float tensors with fewer elements are stored exactly
 * @param chunkSymbols rANS chunk size in symbols (a multiple of 32)
 * @param force overwrite an existing output
 * @param perChannel quantize with one step per channel along axis 0 (rows; output channels of
 *     convolutions) instead of one step per tensor
 * @param ratio the target compression ratio of the written file (ratio mode), or 0
 * @param calibration how ratio mode learns the transforms; null unless ratio > 0
 */
public record CompressOptions(int bits, Pattern keep, long minElements, int chunkSymbols, boolean force, boolean perChannel,
        double ratio, CalibrationSettings calibration) {
    public static final long DEFAULT_MIN_ELEMENTS = 1024;
    public static final int DEFAULT_CHUNK = 65536;

    public CompressOptions {
        if (ratio > 0 && calibration == null) throw new IllegalArgumentException("ratio mode needs calibration settings");
    }

    /** Uniform (bits > 0) or lossless (bits = 0) options. */
    public CompressOptions(int bits, Pattern keep, long minElements, int chunkSymbols, boolean force, boolean perChannel) {
        this(bits, keep, minElements, chunkSymbols, force, perChannel, 0, null);
    }

    /** Ratio mode: learned transforms calibrated until the file is {@code ratio} times smaller. */
    public static CompressOptions ratio(double ratio, CalibrationSettings calibration, Pattern keep, long minElements,
            int chunkSymbols, boolean force) {
        return new CompressOptions(0, keep, minElements, chunkSymbols, force, calibration.perChannel(), ratio, calibration);
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
        if (ratioMode()) return "ratio=" + ratio;
        return lossless() ? "lossless" : "bits=" + bits;
    }
}
