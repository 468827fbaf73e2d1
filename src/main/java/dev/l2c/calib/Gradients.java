package dev.l2c.calib;

import java.nio.FloatBuffer;

/**
 * The distortion D of one evaluation and dD/dwHat of every tensor, readable until {@link #close}:
 * buffers the caller lent ({@link #of}), or memory an objective hands over without a copy (the
 * KD student's gradient tensors, {@link LeafGradients}).
 */
public interface Gradients extends AutoCloseable {
    double distortion();

    /** Tensor l's gradient, its n floats from position 0 (direct, native order); null for zero. */
    FloatBuffer get(int l);

    /** Releases what was handed over; the buffers from {@link #get} are invalid afterwards. */
    @Override
    void close();

    /** D with gradients in the caller's own buffers (nothing to release). */
    static Gradients of(double distortion, FloatBuffer[] grad) {
        return new Gradients() {
            @Override
            public double distortion() {
                return distortion;
            }

            @Override
            public FloatBuffer get(int l) {
                return grad[l];
            }

            @Override
            public void close() {}
        };
    }
}
