package dev.l2c.transform;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * A {@link TransformContext} over any {@link TransformKernels}: keeps the layout and a copy of the
 * parameters in Java and calls the kernels' positional entries (the CUDA host-copy wrappers, and
 * wrappers that time or count calls).
 */
public final class HostTransformContext extends AbstractTransformContext {
    private final TransformKernels kernels;
    private final FloatBuffer params;
    private boolean closed;

    public HostTransformContext(TransformKernels kernels, TransformKind kind, long n, Channels channels) {
        super(kind, n, channels);
        this.kernels = kernels;
        this.params = ByteBuffer.allocateDirect(4 * Math.max(1, paramCount)).order(ByteOrder.nativeOrder()).asFloatBuffer()
                .limit(paramCount);
    }

    @Override
    public void setParams(FloatBuffer values) {
        open();
        checkParams(values);
        params.put(0, values, 0, paramCount);
    }

    @Override
    public void forward(FloatBuffer w, FloatBuffer c, IntBuffer q, FloatBuffer wHat) throws L2cException {
        open();
        kernels.forward(kind, w, n, channels, params, c, q, wHat);
    }

    @Override
    public void backward(FloatBuffer w, FloatBuffer gWHat, FloatBuffer gC, double gCScale, FloatBuffer gW,
            FloatBuffer gParams) throws L2cException {
        open();
        if (gParams != null) for (int i = 0; i < paramCount; i++) gParams.put(gParams.position() + i, 0f);
        kernels.backward(kind, w, n, channels, params, gWHat, gC, gCScale, gW, gParams);
    }

    private void open() {
        if (closed) throw new IllegalStateException("transform context used after close");
    }

    @Override
    public void close() {
        closed = true;
    }
}
