package dev.l2c.transform;

import dev.l2c.L2cException;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * The transform kernels of one backend (formulas in src/main/cpp/l2c/transform_core.h, shared by
 * CPU and CUDA). Buffers are direct and in native order; n elements of a row-major tensor whose
 * channel layout is {@code channels}; {@code params} holds kind.paramsPerChannel * channels.count()
 * floats laid out as in {@link TransformKind}.
 */
public interface TransformKernels {
    /**
     * c = encode(w; params), q = round(c) (half away from zero), wHat = decode(q; params).
     * Any of c, q, wHat may be null when not wanted.
     */
    void forward(TransformKind kind, FloatBuffer w, long n, Channels channels, FloatBuffer params,
            FloatBuffer c, IntBuffer q, FloatBuffer wHat) throws L2cException;

    /**
     * Backward pass with the straight-through estimator wHat = decode(c + stopgrad(round(c) - c)):
     * given gWHat = dL/dwHat and gC = extra dL/dc (the rate's gradient; null for none), writes
     * gW = dL/dw (null: not wanted) and ADDS dL/dparams into gParams (same layout as params).
     * Every operation other than the rounding is differentiated exactly.
     */
    default void backward(TransformKind kind, FloatBuffer w, long n, Channels channels, FloatBuffer params,
            FloatBuffer gWHat, FloatBuffer gC, FloatBuffer gW, FloatBuffer gParams) throws L2cException {
        backward(kind, w, n, channels, params, gWHat, gC, 1.0, gW, gParams);
    }

    /**
     * {@link #backward} with the extra code gradient taken as gCScale * gC (finite): a rate gradient
     * computed unscaled (CounterKernels.forwardBackward before the rate weight is known) enters
     * without a pass of its own.
     */
    void backward(TransformKind kind, FloatBuffer w, long n, Channels channels, FloatBuffer params,
            FloatBuffer gWHat, FloatBuffer gC, double gCScale, FloatBuffer gW, FloatBuffer gParams)
            throws L2cException;

    /**
     * A context for one tensor of n elements in {@code channels} learning {@code kind}: made once
     * and reused every step ({@link TransformContext}). This default keeps the layout in Java and
     * calls the positional entries above; the CPU kernels make a native context.
     */
    default TransformContext context(TransformKind kind, long n, Channels channels) {
        return new HostTransformContext(this, kind, n, channels);
    }
}
