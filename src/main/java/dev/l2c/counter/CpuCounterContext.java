package dev.l2c.counter;

import dev.l2c.L2cException;
import dev.l2c.nativelib.CpuKernels;
import dev.l2c.nativelib.NativeHandle;
import dev.l2c.nativelib.NativeStatus;
import java.lang.ref.Reference;
import java.nio.FloatBuffer;

/**
 * A {@link CounterContext} over a native counter context (src/main/cpp/l2c_cpu.h). The handle is
 * freed by {@link #close}, or by a cleaner if the context is dropped unclosed.
 */
final class CpuCounterContext implements CounterContext {
    private final long n;
    private final NativeHandle handle;

    CpuCounterContext(long n, CounterKernel kernel, int resolution, int threads) {
        NativeCounterKernels.checkArgs(n, resolution);
        int[] status = {0};
        long h = CpuKernels.l2c_counter_cpu_context_new(n, kernel.nativeCode, resolution, threads, status);
        if (h == 0) throw new IllegalStateException("counter context (cpu): " + NativeStatus.describe(status[0]));
        this.n = n;
        this.handle = new NativeHandle(this, h, CpuKernels::l2c_counter_cpu_context_free, "counter context");
    }

    @Override
    public long elements() {
        return n;
    }

    @Override
    public CounterKernels.Rate run(FloatBuffer c, float scale, FloatBuffer grad) throws L2cException {
        NativeCounterKernels.checkBuffer(c, n, "c");
        if (grad != null) NativeCounterKernels.checkBuffer(grad, n, "grad");
        double[] bits = {0};
        long[] minSymbol = {0};
        long[] bins = {0};
        long[] errPos = {-1};
        String pass = grad == null ? "forward" : "forward_backward";
        synchronized (handle.lock()) {
            try {
                long h = handle.live();
                NativeCounterKernels.check("cpu context", pass, errPos,
                        CpuKernels.l2c_counter_cpu_context_run(h, c, n, scale, grad, bits, minSymbol, bins, errPos));
                double[] probs = new double[Math.toIntExact(bins[0])];
                NativeCounterKernels.check("cpu context", pass, errPos,
                        CpuKernels.l2c_counter_cpu_context_probs(h, probs, probs.length));
                return new CounterKernels.Rate(bits[0], Math.toIntExact(minSymbol[0]), probs);
            } finally {
                Reference.reachabilityFence(this);
            }
        }
    }

    @Override
    public void close() {
        handle.close();
    }
}
