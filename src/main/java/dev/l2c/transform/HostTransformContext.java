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
public final class HostTransformContext implements TransformContext {
    private final TransformKernels kernels;
    private final TransformKind kind;
    private final long n;
    private final Channels channels;
    private final FloatBuffer params;
    private boolean closed;

    public HostTransformContext(TransformKernels kernels, TransformKind kind, long n, Channels channels) {
        NativeTransformKernels.checkLayout(n, channels);
        this.kernels = kernels;
        this.kind = kind;
        this.n = n;
        this.channels = channels;
        int len = Math.toIntExact((long) kind.paramsPerChannel * channels.count());
        this.params = ByteBuffer.allocateDirect(4 * len).order(ByteOrder.nativeOrder()).asFloatBuffer();
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
    public void setParams(FloatBuffer values) {
        open();
        if (values.limit() != params.capacity()) {
            throw new IllegalArgumentException(params.capacity() + " parameters expected, got " + values.limit());
        }
        params.put(0, values, 0, params.capacity());
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
        if (gParams != null) for (int i = 0; i < params.capacity(); i++) gParams.put(gParams.position() + i, 0f);
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
