package dev.l2c.pipeline;

import java.util.Locale;

/**
 * How ratio mode reaches its target size: the learned transform, or one of the baselines it is
 * measured against (each coded by the same rANS coder, so only the lossy step differs).
 */
public enum RatioMethod {
    /** The learned transform (L2), calibrated until the file meets the target. */
    L2,
    /**
     * Uniform symmetric round-to-nearest, one step per tensor (per output channel with
     * --per-channel), the step a searched common factor times the tensor's max|w|.
     */
    UNIFORM,
    /** Magnitude pruning then uniform quantization (Deep Compression without retraining). */
    PRUNE,
    /** GPTQ: per-output-channel steps, Hessian-aware rounding with error feedback from calibration data. */
    GPTQ;

    /** The name used on the command line and in file attributes. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
