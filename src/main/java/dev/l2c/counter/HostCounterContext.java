package dev.l2c.counter;

import dev.l2c.L2cException;
import java.nio.FloatBuffer;

/** A {@link CounterContext} that calls any {@link CounterKernels}' positional entries (CUDA, wrappers). */
public final class HostCounterContext implements CounterContext {
    private final CounterKernels kernels;
    private final long n;
    private final CounterKernel kernel;
    private final int resolution;
    private boolean closed;

    public HostCounterContext(CounterKernels kernels, long n, CounterKernel kernel, int resolution) {
        NativeCounterKernels.checkArgs(n, resolution);
        this.kernels = kernels;
        this.n = n;
        this.kernel = kernel;
        this.resolution = resolution;
    }

    @Override
    public long elements() {
        return n;
    }

    @Override
    public CounterKernels.Rate run(FloatBuffer c, float scale, FloatBuffer grad) throws L2cException {
        if (closed) throw new IllegalStateException("counter context used after close");
        return grad == null ? kernels.forward(c, n, kernel, resolution)
                : kernels.forwardBackward(c, n, kernel, resolution, scale, grad);
    }

    @Override
    public void close() {
        closed = true;
    }
}
