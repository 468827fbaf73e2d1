package dev.l2c.pipeline;

/**
 * One tensor of a .l2c file as {@code inspect} shows it.
 *
 * @param originalBytes the tensor's bytes at its original precision
 * @param storedBytes its payload plus its index entry in the .l2c file
 * @param alphabet distinct symbols (0 where not quantized)
 * @param zeroFraction fraction of zero symbols (NaN where not quantized)
 */
public record TensorRow(
        String name,
        String dtype,
        long[] shape,
        String kind,
        String transform,
        long elements,
        long originalBytes,
        long storedBytes,
        int alphabet,
        double zeroFraction) {
    public double bitsPerWeight() {
        return elements == 0 ? 0 : 8.0 * storedBytes / elements;
    }

    public double ratio() {
        return storedBytes == 0 ? 0 : (double) originalBytes / storedBytes;
    }
}
