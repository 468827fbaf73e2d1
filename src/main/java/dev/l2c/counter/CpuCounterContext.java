package dev.l2c.counter;

import dev.l2c.L2cException;
import dev.l2c.nativelib.CpuKernels;
import dev.l2c.nativelib.NativeStatus;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.FloatBuffer;

/**
 * A {@link CounterContext} over a native counter context (src/main/cpp/l2c_cpu.h). The handle is
 * freed by {@link #close}, or by a cleaner if the context is dropped unclosed.
 */
final class CpuCounterContext implements CounterContext {
    private static final Cleaner CLEANER = Cleaner.create();

    /** The handle, apart from the context so that the cleaner does not keep the context alive. */
    private static final class Handle implements Runnable {
        private long value;

        Handle(long value) {
            this.value = value;
        }

        @Override
        public synchronized void run() {
            long h = value;
            value = 0;
            if (h != 0) CpuKernels.l2c_counter_cpu_context_free(h);
        }
    }

    private final long n;
    private final Handle handle;
    private final Cleaner.Cleanable cleanable;

    CpuCounterContext(long n, CounterKernel kernel, int resolution, int threads) {
        NativeCounterKernels.checkArgs(n, resolution);
        int[] status = {0};
        long h = CpuKernels.l2c_counter_cpu_context_new(n, kernel.nativeCode, resolution, threads, status);
        if (h == 0) throw new IllegalStateException("counter context (cpu): " + NativeStatus.describe(status[0]));
        this.n = n;
        this.handle = new Handle(h);
        this.cleanable = CLEANER.register(this, handle);
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
        synchronized (handle) {
            try {
                long h = live();
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

    private long live() {
        long h = handle.value;
        if (h == 0) throw new IllegalStateException("counter context used after close");
        return h;
    }

    @Override
    public void close() {
        synchronized (handle) {
            cleanable.clean();
        }
    }
}
