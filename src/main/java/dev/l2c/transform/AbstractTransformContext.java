package dev.l2c.transform;

/** What every {@link TransformContext} knows of its tensor: kind, element count, channel layout. */
abstract class AbstractTransformContext implements TransformContext {
    final TransformKind kind;
    final long n;
    final Channels channels;
    final int paramCount;

    AbstractTransformContext(TransformKind kind, long n, Channels channels) {
        NativeTransformKernels.checkLayout(n, channels);
        this.kind = kind;
        this.n = n;
        this.channels = channels;
        this.paramCount = Math.toIntExact((long) kind.paramsPerChannel * channels.count());
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

    /** The parameters of {@link #setParams}: exactly paramCount floats. */
    void checkParams(java.nio.FloatBuffer params) {
        if (params.limit() != paramCount) {
            throw new IllegalArgumentException(paramCount + " parameters expected, got " + params.limit());
        }
    }
}
