package dev.l2c.transform;

import dev.l2c.nativelib.CpuKernels;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/** The transform kernels on the CPU, over {@code threads} OpenMP threads (results do not depend on it). */
public final class CpuTransformKernels extends NativeTransformKernels {
    private final int threads;

    public CpuTransformKernels(int threads) {
        super("cpu");
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, not " + threads);
        this.threads = threads;
    }

    @Override
    int forward(int kind, FloatBuffer w, long n, int count, long inner, FloatBuffer params, FloatBuffer c,
            IntBuffer q, FloatBuffer wHat, long[] errPos) {
        return CpuKernels.l2c_transform_cpu_forward(kind, w, n, count, inner, params, c, q, wHat, threads, errPos);
    }

    @Override
    int backward(int kind, FloatBuffer w, long n, int count, long inner, FloatBuffer params, FloatBuffer gWHat,
            FloatBuffer gC, double gCScale, FloatBuffer gW, FloatBuffer gParams, long[] errPos) {
        return CpuKernels.l2c_transform_cpu_backward(kind, w, n, count, inner, params, gWHat, gC, gCScale, gW,
                gParams,
                threads, errPos);
    }

    @Override
    public TransformContext context(TransformKind kind, long n, Channels channels) {
        return new CpuTransformContext(kind, n, channels, threads);
    }
}
