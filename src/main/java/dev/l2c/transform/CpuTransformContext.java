package dev.l2c.transform;

import dev.l2c.L2cException;
import dev.l2c.nativelib.CpuKernels;
import dev.l2c.nativelib.NativeStatus;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * A {@link TransformContext} over a native transform context (src/main/cpp/l2c_cpu.h): kind,
 * layout, parameters and the backward's reduction scratch made once. The handle is freed by
 * {@link #close}, or by a cleaner if the context is dropped unclosed.
 */
final class CpuTransformContext implements TransformContext {
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
            if (h != 0) CpuKernels.l2c_transform_cpu_context_free(h);
        }
    }

    private final TransformKind kind;
    private final long n;
    private final Channels channels;
    private final int paramCount;
    private final Handle handle;
    private final Cleaner.Cleanable cleanable;

    CpuTransformContext(TransformKind kind, long n, Channels channels, int threads) {
        NativeTransformKernels.checkLayout(n, channels);
        int[] status = {0};
        long h = CpuKernels.l2c_transform_cpu_context_new(kind.nativeCode, n, channels.count(), channels.inner(), threads,
                status);
        if (h == 0) throw new IllegalStateException("transform context (cpu): " + NativeStatus.describe(status[0]));
        this.kind = kind;
        this.n = n;
        this.channels = channels;
        this.paramCount = Math.toIntExact((long) kind.paramsPerChannel * channels.count());
        this.handle = new Handle(h);
        this.cleanable = CLEANER.register(this, handle);
    }

    @Override
    public TransformKind kind() {
        return kind;
    }

    @Override
    public long elements() {
        return n;
    }

    @Override
    public Channels channels() {
        return channels;
    }

    @Override
    public void setParams(FloatBuffer params) throws L2cException {
        if (params.limit() != paramCount) {
            throw new IllegalArgumentException(paramCount + " parameters expected, got " + params.limit());
        }
        NativeTransformKernels.requireRoom(params.duplicate().position(0), paramCount, "params", false);
        synchronized (handle) {
            try {
                check("set_params", new long[] {-1}, CpuKernels.l2c_transform_cpu_context_set_params(live(),
                        params.duplicate().position(0), paramCount));
            } finally {
                Reference.reachabilityFence(this);
            }
        }
    }

    @Override
    public void forward(FloatBuffer w, FloatBuffer c, IntBuffer q, FloatBuffer wHat) throws L2cException {
        NativeTransformKernels.requireRoom(w, n, "w", false);
        NativeTransformKernels.requireRoom(c, n, "c", true);
        NativeTransformKernels.requireRoom(q, n, "q", true);
        NativeTransformKernels.requireRoom(wHat, n, "wHat", true);
        long[] errPos = {-1};
        synchronized (handle) {
            try {
                check("forward", errPos, CpuKernels.l2c_transform_cpu_context_forward(live(), w, n, c, q, wHat, errPos));
            } finally {
                Reference.reachabilityFence(this);
            }
        }
    }

    @Override
    public void backward(FloatBuffer w, FloatBuffer gWHat, FloatBuffer gC, double gCScale, FloatBuffer gW,
            FloatBuffer gParams) throws L2cException {
        if (!Double.isFinite(gCScale)) throw new IllegalArgumentException("gC scale " + gCScale + " is not finite");
        NativeTransformKernels.requireRoom(w, n, "w", false);
        NativeTransformKernels.requireRoom(gWHat, n, "gWHat", true);
        NativeTransformKernels.requireRoom(gC, n, "gC", true);
        NativeTransformKernels.requireRoom(gW, n, "gW", true);
        NativeTransformKernels.requireRoom(gParams, paramCount, "gParams", true);
        long[] errPos = {-1};
        synchronized (handle) {
            try {
                check("backward", errPos, CpuKernels.l2c_transform_cpu_context_backward(live(), w, n, gWHat, gC, gCScale,
                        gW, gParams, gParams == null ? 0 : paramCount, errPos));
            } finally {
                Reference.reachabilityFence(this);
            }
        }
    }

    private long live() {
        long h = handle.value;
        if (h == 0) throw new IllegalStateException("transform context used after close");
        return h;
    }

    private void check(String pass, long[] errPos, int status) throws L2cException {
        NativeTransformKernels.check("cpu context", kind, pass, errPos, status);
    }

    @Override
    public void close() {
        synchronized (handle) {
            cleanable.clean();
        }
    }
}
