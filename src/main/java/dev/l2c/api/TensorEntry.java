package dev.l2c.api;

/**
 * One tensor of a {@code .l2c} file. Immutable; {@link #shape} returns a copy.
 *
 * @param name the tensor's name in the model
 * @param shape its dimensions (empty for a scalar)
 * @param type the element type it was compressed from (what {@link L2cFile#decode(String)} gives)
 * @param form how it is stored
 * @param storedBytes what it takes in the file: its payload and its index entry
 */
public record TensorEntry(String name, long[] shape, ElementType type, StoredForm form, long storedBytes) {
    /**
     * Makes an entry; {@code shape} is copied, so that the entry stays as it was made.
     *
     * @param name the tensor's name in the model
     * @param shape its dimensions
     * @param type the element type it was compressed from
     * @param form how it is stored
     * @param storedBytes what it takes in the file
     */
    public TensorEntry {
        shape = shape.clone();
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
     * Its number of elements.
     *
     * @return the product of the shape (1 for a scalar)
     */
    public long elements() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /**
     * The bytes it decodes to.
     *
     * @param as the type to decode to; null for its own type
     * @return elements times the type's bytes
     */
    public long decodedBytes(ElementType as) {
        return elements() * (as == null ? type : as).bytes();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorEntry t && name.equals(t.name) && java.util.Arrays.equals(shape, t.shape) && type == t.type
                && form == t.form && storedBytes == t.storedBytes;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + java.util.Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + type + java.util.Arrays.toString(shape) + " " + form;
    }
}
