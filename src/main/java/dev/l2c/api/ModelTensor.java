package dev.l2c.api;

import dev.l2c.model.Tensor;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A model tensor held in memory, for {@link Compression#compress(String, java.util.List, java.nio.file.Path)}:
 * its name, element type, shape (row-major) and elements, little-endian. Floating-point tensors
 * are compressed by the mode; the others are stored as they are.
 *
 * <p><b>Thread safety:</b> immutable, but it shares its elements with the caller's buffer (no
 * copy): the caller must not change them while a compression reads them.
 */
public final class ModelTensor {
    private final ElementType type;
    private final Tensor tensor;

    /**
     * Makes a tensor; {@code shape} is copied, and {@code data} is checked against it.
     *
     * @param name the tensor's name in the model
     * @param type its element type
     * @param shape its dimensions (empty for a scalar)
     * @param data its elements, little-endian, from position 0 to the limit: exactly the bytes
     *     {@code type} and {@code shape} need
     * @throws IllegalArgumentException a missing part, or data whose size does not fit the shape
     */
    public ModelTensor(String name, ElementType type, long[] shape, ByteBuffer data) {
        if (type == null) throw new IllegalArgumentException("tensor " + name + ": an element type is required");
        this.type = type;
        // The pipeline's own tensor checks name, shape and size, and names the tensor when they do not fit.
        this.tensor = new Tensor(name, type.dtype(), shape, data == null ? null : data.asReadOnlyBuffer());
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
     * Its name.
     *
     * @return the tensor's name in the model
     */
    public String name() {
        return tensor.name();
    }

    /**
     * Its element type.
     *
     * @return the type
     */
    public ElementType type() {
        return type;
    }

    /**
     * Its dimensions.
     *
     * @return a copy of the shape
     */
    public long[] shape() {
        return tensor.shape();
    }

    /**
     * Its elements.
     *
     * @return a read-only little-endian view of the caller's buffer, position 0
     */
    public ByteBuffer data() {
        return tensor.data();
    }

    Tensor tensor() {
        return tensor;
    }

    @Override
    public String toString() {
        return name() + " " + type + Arrays.toString(tensor.shape());
    }
}
