package dev.l2c.pipeline;

import dev.l2c.calib.CalibrationSettings;
import dev.l2c.transform.UniformQuantizer;

/**
 * What {@code compress} does to the lossy tensors: one of three modes, each with only the
 * settings it uses (docs/DESIGN.md, "Architecture").
 */
public sealed interface CompressMode permits CompressMode.Lossless, CompressMode.Uniform, CompressMode.Ratio {
    /** The MODE attribute the file records. */
    String attribute();

    /** Every float tensor as byte planes, entropy-coded: the exact bits come back. */
    record Lossless() implements CompressMode {
        @Override
        public String attribute() {
            return "lossless";
        }
    }

    /**
     * Uniform symmetric quantization with {@code bits} bits ({@link UniformQuantizer#MIN_BITS} to
     * {@link UniformQuantizer#MAX_BITS}), then rANS.
     *
     * @param perChannel one step per channel along axis 0 (output channels) instead of per tensor
     * @param sparsity the fraction of each tensor's weights, smallest magnitudes first, set to zero
     *     before quantization (magnitude pruning); 0 for none
     */
    record Uniform(int bits, boolean perChannel, double sparsity) implements CompressMode {
        public Uniform {
            if (bits < UniformQuantizer.MIN_BITS || bits > UniformQuantizer.MAX_BITS) {
                throw new IllegalArgumentException("bits must be in [" + UniformQuantizer.MIN_BITS + ", " + UniformQuantizer.MAX_BITS
                        + "], got " + bits);
            }
            if (!(sparsity >= 0 && sparsity < 1)) throw new IllegalArgumentException("sparsity must be in [0, 1), got " + sparsity);
        }

        @Override
        public String attribute() {
            return "bits=" + bits + (sparsity > 0 ? ",sparsity=" + sparsity : "");
        }
    }

    /**
     * A target compression ratio of the written file, reached by the learned transforms
     * ({@link RatioMethod#L2}, with {@code calibration}) or by a baseline.
     *
     * @param target original bytes / file bytes, above 1
     * @param perChannel the uniform baseline with one step per output channel (L2 takes it from
     *     {@code calibration})
     * @param calibration how L2 learns its transforms; null for the baselines
     * @param closest when the target is out of reach, write the closest file found instead of failing
     */
    record Ratio(double target, RatioMethod method, boolean perChannel, CalibrationSettings calibration, boolean closest)
            implements CompressMode {
        public Ratio {
            if (!(target > 1) || Double.isInfinite(target)) throw new IllegalArgumentException("ratio must be above 1, got " + target);
            if (method == null) throw new IllegalArgumentException("method is null");
            if ((method == RatioMethod.L2) != (calibration != null)) {
                throw new IllegalArgumentException("calibration settings are needed by, and only by, the L2 method");
            }
            if (method == RatioMethod.L2) {
                perChannel = calibration.perChannel();
            } else if (perChannel && method != RatioMethod.UNIFORM) {
                throw new IllegalArgumentException("per-channel applies to the uniform baseline (gptq is always per channel)");
            }
        }

        /** This target, writing the closest file when it is out of reach. */
        public Ratio withClosest() {
            return new Ratio(target, method, perChannel, calibration, true);
        }

        @Override
        public String attribute() {
            return "ratio=" + target + (method == RatioMethod.L2 ? "" : ",method=" + method.label())
                    + (method == RatioMethod.UNIFORM && perChannel ? ",per-channel" : "");
        }
    }
}
