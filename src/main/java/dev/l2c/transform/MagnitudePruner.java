package dev.l2c.transform;

import dev.l2c.L2cException;
import java.util.Arrays;

/**
 * Magnitude pruning, the first step of the Deep Compression recipe: the fraction S of a tensor's
 * weights with the smallest |w| is set to zero. Exactly round(S n) weights are pruned; among
 * weights of equal magnitude at the threshold the lower index goes first, so the result depends
 * only on the weights and S.
 *
 * <p>The magnitudes are sorted once, so one pruner answers many sparsities (the baseline search)
 * at O(n) each.
 */
public final class MagnitudePruner {
    private final float[] weights;
    private final int[] sortedMagnitudes;

    /**
     * A pruner over {@code weights} (not copied; the caller must not change them). {@code name}
     * only labels errors; non-finite weights are refused.
     */
    public MagnitudePruner(String name, float[] weights) throws L2cException {
        this.weights = weights;
        sortedMagnitudes = new int[weights.length];
        for (int i = 0; i < weights.length; i++) {
            if (!Float.isFinite(weights[i])) {
                throw new L2cException("tensor " + name + ": element " + i + " is " + weights[i]
                        + "; lossy modes need finite weights (keep it exact with --lossless or --keep)");
            }
            sortedMagnitudes[i] = magnitude(weights[i]);
        }
        // Non-negative float bit patterns order like the floats they encode.
        Arrays.sort(sortedMagnitudes);
    }

    /** How many weights sparsity {@code s} prunes in a tensor of {@code n} elements. */
    public static long prunedCount(long n, double s) {
        checkSparsity(s);
        return Math.min(n, Math.round(s * n));
    }

    private static void checkSparsity(double s) {
        if (!(s >= 0 && s < 1)) {
            throw new IllegalArgumentException("sparsity must be in [0, 1), got " + s);
        }
    }

    /** A copy of the weights with the {@link #prunedCount} smallest magnitudes set to zero. */
    public float[] prune(double sparsity) {
        int k = (int) prunedCount(weights.length, sparsity);
        float[] out = weights.clone();
        if (k == 0) return out;
        int threshold = sortedMagnitudes[k - 1];
        // Everything strictly below the threshold goes; the rest of the k are taken at the threshold by index.
        int atThreshold = k - lowerBound(sortedMagnitudes, threshold);
        for (int i = 0; i < out.length; i++) {
            int m = magnitude(out[i]);
            if (m < threshold) {
                out[i] = 0f;
            } else if (m == threshold && atThreshold > 0) {
                out[i] = 0f;
                atThreshold--;
            }
        }
        return out;
    }

    private static int magnitude(float w) {
        return Float.floatToRawIntBits(w) & 0x7fffffff;
    }

    /** The first index of {@code sorted} holding a value >= {@code v}. */
    private static int lowerBound(int[] sorted, int v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
