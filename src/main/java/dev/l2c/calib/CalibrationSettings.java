package dev.l2c.calib;

import dev.l2c.counter.CounterKernel;
import dev.l2c.transform.TransformKind;

/**
 * How the transform parameters are calibrated.
 *
 * @param kind the transform learned for each tensor: EDGE_SCALE (the default), UNIFORM or PIECEWISE
 * @param perChannel one parameter set per output channel (axis 0) instead of per tensor
 * @param kernel the counter's kernel
 * @param resolution the counter's resolution (delta = code range / resolution)
 * @param steps Adam steps of the first optimization
 * @param learningRate Adam's step on the log-parameters, decayed over a run
 * @param lambda the rate weight while the rate is above its target; NaN chooses it from the tensors
 *     (see {@link TransformOptimizer})
 * @param seed recorded with the result; the data-free objective draws no random numbers, objectives
 *     that sample calibration data draw them from this seed
 */
public record CalibrationSettings(TransformKind kind, boolean perChannel, CounterKernel kernel, int resolution,
        int steps, double learningRate, double lambda, long seed) {
    public static final int DEFAULT_RESOLUTION = 64;
    public static final int DEFAULT_STEPS = 60;
    public static final double DEFAULT_LEARNING_RATE = 0.1;

    public CalibrationSettings {
        if (kind == null) throw new IllegalArgumentException("a transform kind is required");
        if (resolution < 1) throw new IllegalArgumentException("resolution must be >= 1, got " + resolution);
        if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
    }

    public static CalibrationSettings defaults() {
        return new CalibrationSettings(TransformKind.EDGE_SCALE, false, CounterKernel.COS, DEFAULT_RESOLUTION,
                DEFAULT_STEPS, DEFAULT_LEARNING_RATE, Double.NaN, 0);
    }
}
