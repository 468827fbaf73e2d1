package dev.l2c.transform;

import java.nio.ShortBuffer;

/**
 * The symbols of one tensor after a lossy transform, remapped to a dense alphabet.
 *
 * @param symbols dense indices in [0, alphabet.length), one per element, direct native-order buffer
 * @param alphabet the integer symbol q of each dense index, ascending
 * @param values the reconstructed weight of each dense index (decode(q; params)) when one set of
 *     parameters serves the whole tensor; null for per-channel parameters
 * @param params the transform parameters as stored in the container (uniform: the step of the
 *     tensor, or of each channel)
 * @param counts how often each dense index occurs
 */
public record QuantizedTensor(ShortBuffer symbols, int[] alphabet, float[] values, float[] params, long[] counts) {
    public int alphabetSize() {
        return alphabet.length;
    }

    /** Fraction of elements whose symbol is q = 0 (pruned or rounded to zero). */
    public double zeroFraction() {
        long total = 0;
        long zeros = 0;
        for (int i = 0; i < alphabet.length; i++) {
            total += counts[i];
            if (alphabet[i] == 0) zeros = counts[i];
        }
        return total == 0 ? 0 : (double) zeros / total;
    }
}
