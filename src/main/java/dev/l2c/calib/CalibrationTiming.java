package dev.l2c.calib;

/**
 * Calibration wall time and where it went, in seconds: network forward and backward passes, the
 * differentiable counter, the transform kernels, and the rest ({@code other}: optimizer updates,
 * data, bookkeeping). The parts sum to {@code seconds}.
 */
public record CalibrationTiming(double seconds, double forward, double backward, double counter, double transform,
        double other) {}
