package dev.l2c.transform;

import dev.l2c.L2cException;
import dev.l2c.nativelib.CpuKernels;
import dev.l2c.nativelib.NativeHandle;
import dev.l2c.nativelib.NativeStatus;
import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * A {@link TransformContext} over a native transform context (src/main/cpp/l2c_cpu.h): kind,
 * layout, parameters and the backward's reduction scratch made once. The handle is freed by
 * {@link #close}, or by a cleaner if the context is dropped unclosed.
 */
final class CpuTransformContext extends AbstractTransformContext {
    private final NativeHandle handle;

    CpuTransformContext(TransformKind kind, long n, Channels channels, int threads) {
        super(kind, n, channels);
        int[] status = {0};
        long h = CpuKernels.l2c_transform_cpu_context_new(kind.nativeCode, n, channels.count(), channels.inner(), threads,
                status);
        if (h == 0) throw new IllegalStateException("transform context (cpu): " + NativeStatus.describe(status[0]));
        this.handle = new NativeHandle(this, h, CpuKernels::l2c_transform_cpu_context_free, "transform context");
    }

    @Override
    public void setParams(FloatBuffer params) throws L2cException {
        checkParams(params);
        FloatBuffer from0 = params.duplicate().position(0);
        NativeTransformKernels.requireRoom(from0, paramCount, "params", false);
        call("set_params", new long[] {-1}, h -> CpuKernels.l2c_transform_cpu_context_set_params(h, from0, paramCount));
    }

    @Override
    public void forward(FloatBuffer w, FloatBuffer c, IntBuffer q, FloatBuffer wHat) throws L2cException {
        NativeTransformKernels.requireRoom(w, n, "w", false);
        NativeTransformKernels.requireRoom(c, n, "c", true);
        NativeTransformKernels.requireRoom(q, n, "q", true);
        NativeTransformKernels.requireRoom(wHat, n, "wHat", true);
        long[] errPos = {-1};
        call("forward", errPos, h -> CpuKernels.l2c_transform_cpu_context_forward(h, w, n, c, q, wHat, errPos));
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
        call("backward", errPos, h -> CpuKernels.l2c_transform_cpu_context_backward(h, w, n, gWHat, gC, gCScale, gW,
                gParams, gParams == null ? 0 : paramCount, errPos));
    }

    /** One native call on the live handle, its status turned into an exception. */
    private void call(String pass, long[] errPos, java.util.function.LongToIntFunction native_) throws L2cException {
        int status;
        synchronized (handle.lock()) {
            try {
                status = native_.applyAsInt(handle.live());
            } finally {
                Reference.reachabilityFence(this);
            }
        }
        NativeTransformKernels.check("cpu context", kind, pass, errPos, status);
    }

    @Override
    public void close() {
        handle.close();
    }
}
