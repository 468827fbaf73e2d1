package dev.l2c.counter;

import dev.l2c.nativelib.CpuKernels;
import java.nio.FloatBuffer;

/** The differentiable counter on the CPU, over {@code threads} OpenMP threads (results do not depend on it). */
public final class CpuCounterKernels extends NativeCounterKernels {
    private final int threads;

    public CpuCounterKernels(int threads) {
        super("cpu");
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, not " + threads);
        this.threads = threads;
    }

    @Override
    int forward(FloatBuffer c, long n, int kernel, int resolution, double[] bits, long[] minSymbol, double[] probs,
            long capacity, long[] bins, long[] errPos) {
        return CpuKernels.l2c_counter_cpu_forward(c, n, kernel, resolution, bits, minSymbol, probs, capacity, bins,
                threads, errPos);
    }

    @Override
    int backward(FloatBuffer c, long n, int kernel, int resolution, float scale, FloatBuffer grad, long[] errPos) {
        return CpuKernels.l2c_counter_cpu_backward(c, n, kernel, resolution, scale, grad, threads, errPos);
    }

    @Override
    int forwardBackward(FloatBuffer c, long n, int kernel, int resolution, double[] bits, long[] minSymbol,
            double[] probs, long capacity, long[] bins, float scale, FloatBuffer grad, long[] errPos) {
        return CpuKernels.l2c_counter_cpu_forward_backward(c, n, kernel, resolution, bits, minSymbol, probs, capacity,
                bins, scale, grad, threads, errPos);
    }

    @Override
    public CounterContext context(long n, CounterKernel kernel, int resolution) {
        return new CpuCounterContext(n, kernel, resolution, threads);
    }
}
