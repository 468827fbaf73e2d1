package dev.l2c.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.util.Arrays;
import java.util.Comparator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.Scale;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MagnitudePrunerTest {
    @Test
    void prunesTheSmallestMagnitudesOfEitherSign() throws Exception {
        float[] w = {0.5f, -0.1f, 0.3f, -0.9f, 0.05f, 0.2f, -0.4f, 0.7f, 0f, -0.25f};
        float[] p = new MagnitudePruner("t", w).prune(0.4);
        assertArrayEquals(new float[] {0.5f, 0f, 0.3f, -0.9f, 0f, 0f, -0.4f, 0.7f, 0f, -0.25f}, p);
        // The input is left as it was.
        assertEquals(-0.1f, w[1]);
    }

    @Test
    void tiesAtTheThresholdGoByIndex() throws Exception {
        float[] w = {0.2f, -0.2f, 0.1f, 0.2f, -0.2f, 0.9f};
        // Three pruned: 0.1, then the first two of the four 0.2s.
        assertArrayEquals(new float[] {0f, 0f, 0f, 0.2f, -0.2f, 0.9f}, new MagnitudePruner("t", w).prune(0.5));
    }

    @Test
    void zeroSparsityKeepsEveryWeightAndCountsRound() throws Exception {
        float[] w = {3f, -1f, 2f};
        assertArrayEquals(w, new MagnitudePruner("t", w).prune(0));
        assertEquals(29, MagnitudePruner.prunedCount(100, 0.29));
        assertEquals(0, MagnitudePruner.prunedCount(0, 0.5));
        assertEquals(1000, MagnitudePruner.prunedCount(1000, 0.9999));
        assertThrows(IllegalArgumentException.class, () -> MagnitudePruner.prunedCount(10, 1.0));
        assertThrows(IllegalArgumentException.class, () -> MagnitudePruner.prunedCount(10, -0.1));
        assertThrows(IllegalArgumentException.class, () -> MagnitudePruner.prunedCount(10, Double.NaN));
    }

    @Test
    void nonFiniteWeightsAreRefusedNamingTheTensor() {
        L2cException e = assertThrows(L2cException.class, () -> new MagnitudePruner("fc.weight", new float[] {1f, Float.NaN}));
        assertTrue(e.getMessage().contains("fc.weight") && e.getMessage().contains("element 1"), e.getMessage());
    }

    @Property(tries = 200)
    void matchesSortingByMagnitudeThenIndex(
            @ForAll @Size(min = 1, max = 300) float[] raw, @ForAll @DoubleRange(min = 0, max = 0.999) @Scale(4) double s) throws Exception {
        float[] w = new float[raw.length];
        // Few distinct magnitudes, so ties are common.
        for (int i = 0; i < w.length; i++) w[i] = Float.isFinite(raw[i]) ? Math.round(raw[i] % 8) / 4f : 1f;
        Integer[] order = new Integer[w.length];
        for (int i = 0; i < w.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> Math.abs(w[i])).thenComparingInt(i -> i));
        float[] expected = w.clone();
        long k = MagnitudePruner.prunedCount(w.length, s);
        for (int j = 0; j < k; j++) expected[order[j]] = 0f;
        assertArrayEquals(expected, new MagnitudePruner("t", w).prune(s));
    }

    @Property(tries = 50)
    void moreSparsityNeverKeepsMore(@ForAll @Size(min = 1, max = 200) float[] raw,
            @ForAll @FloatRange(min = 0, max = 0.99f) float a, @ForAll @FloatRange(min = 0, max = 0.99f) float b) throws Exception {
        float[] w = new float[raw.length];
        for (int i = 0; i < w.length; i++) w[i] = Float.isFinite(raw[i]) ? raw[i] : 0f;
        MagnitudePruner pruner = new MagnitudePruner("t", w);
        float[] lo = pruner.prune(Math.min(a, b));
        float[] hi = pruner.prune(Math.max(a, b));
        for (int i = 0; i < w.length; i++) {
            if (lo[i] == 0f) assertEquals(0f, hi[i], "element " + i + " pruned at the lower sparsity kept at the higher");
        }
    }
}
