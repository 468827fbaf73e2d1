package dev.l2c.calib;

import java.nio.FloatBuffer;

/**
 * One tensor whose transform is calibrated: its name, shape and fp32 weights (direct, native
 * order, the whole buffer from 0 to its limit). The weights are either held (a buffer given at
 * construction, which calibration may change in place) or, for data-free calibration of weights
 * that are not float32 in memory, fetched from a {@link WeightCache} on each {@link #weights} call,
 * so that a model larger than memory is held one tensor (or a few) at a time.
 */
public final class CalibTensor {
    private final String name;
    private final long[] shape;
    private final long elements;
    /** The weights when held, or null when they come from {@link #cache}. */
    private final FloatBuffer held;
    private final WeightCache cache;
    private final WeightCache.Loader loader;

    /** A tensor whose weights are {@code weights}, held for as long as the tensor is. */
    public CalibTensor(String name, long[] shape, FloatBuffer weights) {
        this.name = name;
        this.shape = shape;
        this.elements = weights.limit();
        this.held = weights;
        this.cache = null;
        this.loader = null;
    }

    /** A tensor of {@code elements} weights that {@code cache} loads with {@code loader} when asked for them. */
    CalibTensor(String name, long[] shape, long elements, WeightCache cache, WeightCache.Loader loader) {
        this.name = name;
        this.shape = shape;
        this.elements = elements;
        this.held = null;
        this.cache = cache;
        this.loader = loader;
    }

    public String name() {
        return name;
    }

    public long[] shape() {
        return shape;
    }

    /**
     * The weights. Held weights are the same buffer every time; cached ones are valid only until
     * the weights of another tensor of the same cache are asked for (the cache may free them then),
     * so a caller works on one tensor at a time and keeps no buffer across tensors.
     *
     * @throws WeightCache.LoadFailure when cached weights could not be read again
     */
    public FloatBuffer weights() {
        return held != null ? held : cache.weights(this, loader);
    }

    public long elements() {
        return elements;
    }
}
