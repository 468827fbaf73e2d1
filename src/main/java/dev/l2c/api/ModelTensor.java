package dev.l2c.api;

import dev.l2c.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A model tensor held in memory, for {@link Compression#compress(String, java.util.List, java.nio.file.Path)}:
 * its name, element type, shape (row-major) and elements, little-endian. Floating-point tensors
 * are compressed by the mode; the others are stored as they are.
 *
 * <p><b>Thread safety:</b> immutable, but it shares {@code data} with the caller (no copy): the
 * caller must not change the buffer's contents while a compression reads it.
 *
 * @param name the tensor's name in the model
 * @param type its element type
 * @param shape its dimensions (empty for a scalar)
 * @param data its elements, little-endian, from position 0 to the limit: exactly the bytes
 *     {@code type} and {@code shape} need
 */
public record ModelTensor(String name, ElementType type, long[] shape, ByteBuffer data) {
    /**
     * Makes a tensor; {@code shape} is copied, and {@code data} is checked against it.
     *
     * @param name the tensor's name in the model
     * @param type its element type
     * @param shape its dimensions
     * @param data its elements, little-endian
     * @throws IllegalArgumentException a missing part, or data whose size does not fit the shape
     */
    public ModelTensor {
        if (type == null) throw new IllegalArgumentException("tensor " + name + ": an element type is required");
        // The pipeline's own tensor checks name, shape and size, and names the tensor when they do not fit.
        Tensor checked = new Tensor(name, type.dtype(), shape, data);
        shape = checked.shape();
        data = data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A float32 tensor of the given values (copied).
     *
     * @param name the tensor's name
     * @param shape its dimensions
     * @param values its elements, row-major
     * @return the tensor
     * @throws IllegalArgumentException a value count that does not fit the shape
     */
    public static ModelTensor ofFloats(String name, long[] shape, float[] values) {
        return new ModelTensor(name, ElementType.F32, shape, Tensor.ofFloats(name, shape, values).data());
    }

    /**
     * Its dimensions.
     *
     * @return a copy of the shape
     */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Its elements.
     *
     * @return a read-only little-endian view of the caller's buffer
     */
    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    Tensor tensor() {
        return new Tensor(name, type.dtype(), shape, data());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelTensor t && name.equals(t.name) && type == t.type && Arrays.equals(shape, t.shape) && data.equals(t.data);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + type + Arrays.toString(shape);
    }
}
