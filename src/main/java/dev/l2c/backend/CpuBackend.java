package dev.l2c.backend;

import dev.l2c.codec.CpuRansCodec;
import dev.l2c.codec.RansCodec;

/** The CPU backend: C++ kernels over OpenMP threads, always available. */
public final class CpuBackend implements Backend {
    private final int threads;
    private final CpuRansCodec rans;

    /** Uses every available core. */
    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** Uses {@code threads} threads (benchmarks compare 1 against all). */
    public CpuBackend(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, not " + threads);
        this.threads = threads;
        this.rans = new CpuRansCodec(threads);
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
    public int threads() {
        return threads;
    }
}
