package dev.l2c.calib;

import java.nio.FloatBuffer;

/**
 * An objective whose D is a sum of per-tensor terms, each a function of its own tensor alone, so
 * the optimizer can work through the tensors one at a time (holding one tensor's working data,
 * not every tensor's): D = the sum over l, in order, of {@link #evaluateTensor}.
 */
public interface SeparableObjective extends Objective {
    /**
     * Tensor l's term for the reconstruction {@code wHat} (direct, native order, from 0); when
     * {@code grad} is not null, writes dD/dwHat into it. {@code grad} may be {@code wHat} itself.
     */
    double evaluateTensor(int l, FloatBuffer wHat, FloatBuffer grad);
}
