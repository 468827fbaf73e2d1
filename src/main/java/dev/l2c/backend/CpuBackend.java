package dev.l2c.backend;

import dev.l2c.codec.CpuRansCodec;
import dev.l2c.codec.RansCodec;
import dev.l2c.counter.CounterKernels;
import dev.l2c.counter.CpuCounterKernels;
import dev.l2c.transform.CpuTransformKernels;
import dev.l2c.transform.TransformKernels;

/** The CPU backend: C++ kernels over OpenMP threads, always available. */
public final class CpuBackend implements Backend {
    /**
     * The most threads any kernel (OpenMP, libtorch, ONNX Runtime) is asked for: far above any
     * core count that helps, far below the thousands that crashed libgomp.
     */
    public static final int MAX_THREADS = 1024;

    private final int threads;
    private final CpuRansCodec rans;
    private final CpuTransformKernels transforms;
    private final CpuCounterKernels counter;

    /** Uses every available core. */
    public CpuBackend() {
        this(Math.min(Runtime.getRuntime().availableProcessors(), MAX_THREADS));
    }

    /** Uses {@code threads} threads (benchmarks compare 1 against all). */
    public CpuBackend(int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be in 1.." + MAX_THREADS + ", not " + threads);
        }
        this.threads = threads;
        this.rans = new CpuRansCodec(threads);
        this.transforms = new CpuTransformKernels(threads);
        this.counter = new CpuCounterKernels(threads);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public RansCodec rans() {
        return rans;
    }

    @Override
    public TransformKernels transforms() {
        return transforms;
    }

    @Override
    public CounterKernels counter() {
        return counter;
    }

    @Override
    public int threads() {
        return threads;
    }
}
