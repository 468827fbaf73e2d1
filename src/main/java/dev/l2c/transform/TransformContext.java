package dev.l2c.transform;

import dev.l2c.L2cException;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * One tensor's transform, made once ({@link TransformKernels#context}) and reused every step: the
 * kind, the channel layout, the element count and the parameters live here (on the CPU in a native
 * object with the backward's reduction scratch), so a call passes only that step's buffers. Buffers
 * follow {@link TransformKernels}' rules and hold at least the context's n elements from their
 * position. Not for concurrent use; a call after {@link #close} throws IllegalStateException.
 */
public interface TransformContext extends AutoCloseable {
    TransformKind kind();

    long elements();

    Channels channels();

    /** Replaces the parameters (kind.paramsPerChannel * channels.count() floats from position 0). */
    void setParams(FloatBuffer params) throws L2cException;

    /** {@link TransformKernels#forward} at the present parameters. */
    void forward(FloatBuffer w, FloatBuffer c, IntBuffer q, FloatBuffer wHat) throws L2cException;

    /**
     * {@link TransformKernels#backward} at the present parameters, except that dL/dparams is
     * WRITTEN into {@code gParams} (null: not wanted), not added. {@code gWHat} null stands for a
     * zero gradient.
     */
    void backward(FloatBuffer w, FloatBuffer gWHat, FloatBuffer gC, double gCScale, FloatBuffer gW, FloatBuffer gParams)
            throws L2cException;

    /** Frees what the context holds; idempotent. */
    @Override
    void close();
}
