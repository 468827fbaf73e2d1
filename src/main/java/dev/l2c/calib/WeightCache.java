package dev.l2c.calib;

import dev.l2c.L2cException;
import dev.l2c.io.DirectBuffers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The float32 weights of the tensors a data-free calibration works on, loaded (read from the
 * model file and converted) when a pass asks for a tensor and kept while they fit in a budget of
 * bytes, the most recently used first: a pass works through the tensors one at a time, so the
 * memory is the budget (or the largest tensor, which is always kept once loaded), not the model.
 * A buffer the cache drops is freed at once: it is the cache's own, and {@link CalibTensor#weights}
 * says that a caller does not keep one past asking for another tensor. Not thread-safe.
 */
public final class WeightCache implements AutoCloseable {
    /**
     * System property: the budget in bytes. The default is a quarter of the maximum heap, which the
     * JVM's default direct-memory limit equals: a model that fits it is loaded once, as before.
     */
    public static final String BUDGET_PROPERTY = "l2c.weightCacheBytes";

    /** Reads one tensor's weights into a new direct buffer of its own. */
    public interface Loader {
        /** {@code n} floats (native order) in a buffer the caller then owns; a failure says which tensor and why. */
        ByteBuffer load() throws L2cException;
    }

    /** A tensor's weights could not be loaded again during calibration (the file changed or became unreadable). */
    public static final class LoadFailure extends RuntimeException {
        LoadFailure(L2cException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized L2cException getCause() {
            return (L2cException) super.getCause();
        }
    }

    private final long budget;
    // Access order: the eldest entry is the least recently used.
    private final LinkedHashMap<CalibTensor, ByteBuffer> loaded = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    /** A cache that keeps at most {@code budgetBytes} of weights (and at least the last tensor asked for). */
    public WeightCache(long budgetBytes) {
        this.budget = budgetBytes;
    }

    /** A cache with the budget of {@link #BUDGET_PROPERTY}, or a quarter of the maximum heap. */
    public static WeightCache withDefaultBudget() {
        return new WeightCache(Long.getLong(BUDGET_PROPERTY, Runtime.getRuntime().maxMemory() / 4));
    }

    /**
     * A tensor of {@code elements} weights loaded by {@code loader}, loaded once now (so that a file
     * that cannot be read, or weights the loader refuses, fail here with a checked exception).
     */
    public CalibTensor tensor(String name, long[] shape, long elements, Loader loader) throws L2cException {
        CalibTensor t = new CalibTensor(name, shape, elements, this, loader);
        load(t, loader);
        return t;
    }

    FloatBuffer weights(CalibTensor t, Loader loader) {
        ByteBuffer b = loaded.get(t);
        if (b == null) {
            try {
                b = load(t, loader);
            } catch (L2cException e) {
                throw new LoadFailure(e);
            }
        }
        return b.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer().limit(Math.toIntExact(t.elements()));
    }

    private ByteBuffer load(CalibTensor t, Loader loader) throws L2cException {
        ByteBuffer b = loader.load();
        loaded.put(t, b);
        bytes += b.capacity();
        // The tensor just loaded stays even above the budget: its caller is about to read it.
        Iterator<Map.Entry<CalibTensor, ByteBuffer>> eldest = loaded.entrySet().iterator();
        while (bytes > budget && loaded.size() > 1) {
            ByteBuffer dropped = eldest.next().getValue();
            eldest.remove();
            bytes -= dropped.capacity();
            DirectBuffers.free(dropped);
        }
        return b;
    }

    /** Frees every buffer held; the tensors must not be asked for their weights any more. */
    @Override
    public void close() {
        for (ByteBuffer b : loaded.values()) DirectBuffers.free(b);
        loaded.clear();
        bytes = 0;
    }
}
