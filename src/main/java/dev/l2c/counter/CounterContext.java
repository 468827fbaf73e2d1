package dev.l2c.counter;

import dev.l2c.L2cException;
import java.nio.FloatBuffer;

/**
 * The counter of one tensor's codes, made once ({@link CounterKernels#context}) and reused every
 * step: element count, kernel and resolution, and on the CPU a native object keeping the
 * histograms, tables and probabilities from call to call. Not for concurrent use; a call after
 * {@link #close} throws IllegalStateException.
 */
public interface CounterContext extends AutoCloseable {
    long elements();

    /**
     * The rate of the context's n codes in {@code c}; with {@code grad} not null also
     * scale * dR/dc into it ({@link CounterKernels#forwardBackward}: grad may be c itself).
     */
    CounterKernels.Rate run(FloatBuffer c, float scale, FloatBuffer grad) throws L2cException;

    /** Frees what the context holds; idempotent. */
    @Override
    void close();
}
