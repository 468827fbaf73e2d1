package dev.l2c.counter;

import dev.l2c.L2cException;
import java.nio.FloatBuffer;

/**
 * The differentiable counter of one backend (math in src/main/cpp/l2c/counter_core.h): the rate
 * R = -sum_i log2 p(q_i) of codes c (q_i = round(c_i)) under the kernel-smoothed histogram
 * p(k) = (F(k + 1/2) - F(k - 1/2)) / N, F(x) = sum_j K((x - c_j) / delta),
 * delta = (max c - min c) / resolution. Exact over all N elements in O(N * delta + bins).
 */
public interface CounterKernels {
    /** Result of a forward pass: the rate in bits and p(k) for k = minSymbol .. minSymbol + probs.length - 1. */
    record Rate(double bits, int minSymbol, double[] probs) {}

    /** Forward pass over the n codes of {@code c} (direct, native order). */
    Rate forward(FloatBuffer c, long n, CounterKernel kernel, int resolution) throws L2cException;

    /**
     * Writes scale * dR/dc_j for every element into {@code grad} (length n), including the path
     * through the query points q_i +- 1/2 (straight-through: dq_i/dc_i = 1).
     */
    void backward(FloatBuffer c, long n, CounterKernel kernel, int resolution, float scale, FloatBuffer grad)
            throws L2cException;

    /**
     * {@link #forward} and {@link #backward} in one call that scatters the codes once: returns the
     * rate and writes scale * dR/dc_j into {@code grad}, the same values the two calls give.
     * {@code grad} may be {@code c} itself (the same buffer and position): the gradient then
     * replaces the codes.
     */
    Rate forwardBackward(FloatBuffer c, long n, CounterKernel kernel, int resolution, float scale, FloatBuffer grad)
            throws L2cException;

    /**
     * A context for n codes under {@code kernel} at {@code resolution}, made once and reused every
     * step ({@link CounterContext}). This default calls the entries above; the CPU kernels make a
     * native context.
     */
    default CounterContext context(long n, CounterKernel kernel, int resolution) {
        return new HostCounterContext(this, n, kernel, resolution);
    }
}
