package dev.l2c.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** GPTQ's core: a case worked by hand, identity Hessians, random ones, and the blocking against the paper's OBS form. */
class GptqQuantizerTest {
    @Test
    void twoColumnsByHand() {
        // H = [[2, 1], [1, 2]], dampened by 1 % of its mean diagonal (2): H' = [[2.02, 1], [1, 2.02]].
        // Quantizing w0 = 0.4 to 0 moves w1 by -(w0 - q0) [H'^-1]_10 / [H'^-1]_00 = 0.4 / 2.02 = 0.198:
        // w1 = 0.35 becomes 0.548 and rounds to 1 (round to nearest: 0).
        double[] h = {2, 1, 1, 2};
        float[] steps = {1f};
        double[] m = {0.4, 0.35};
        int[] q = new GptqQuantizer(h, 2).quantize(m, 1, steps, 1);
        assertArrayEquals(new int[] {0, 1}, q);
        assertEquals(0.35 + 0.4 / 2.02, m[1], 1e-12);
        assertArrayEquals(new int[] {0, 0}, GptqQuantizer.roundToNearest(new double[] {0.4, 0.35}, 1, 2, steps, 1));
        // Output errors under the undampened H: d = [-0.4, 0.65] gives 0.645, plain rounding's [-0.4, -0.35] 0.845.
        assertEquals(0.645, GptqQuantizer.quadratic(new double[] {-0.4, 0.65}, 1, 2, h), 1e-12);
        assertEquals(0.845, GptqQuantizer.quadratic(new double[] {-0.4, -0.35}, 1, 2, h), 1e-12);
    }

    @Test
    void identityHessianIsRoundToNearest() {
        Random rnd = new Random(3);
        int rows = 7;
        int k = 300;
        double[] h = new double[k * k];
        for (int i = 0; i < k; i++) h[i * k + i] = 1;
        double[] m = randomMatrix(rnd, rows, k);
        float[] steps = steps(m, rows, k, 0.2);
        int[] rtn = GptqQuantizer.roundToNearest(m.clone(), rows, k, steps, 5);
        assertArrayEquals(rtn, new GptqQuantizer(h, k).quantize(m.clone(), rows, steps, 5));
    }

    @Test
    void randomHessiansNeverLoseToRoundToNearest() {
        Random rnd = new Random(5);
        for (int trial = 0; trial < 5; trial++) {
            int rows = 6;
            int k = 40 + 60 * trial;
            double[] h = gram(rnd, 3 * k, k);
            double[] m = randomMatrix(rnd, rows, k);
            for (double factor : new double[] {0.05, 0.3, 0.7}) {
                float[] steps = steps(m, rows, k, factor);
                int levels = UniformQuantizer.levels(factor);
                double gptq = error(m, new GptqQuantizer(h, k).quantize(m.clone(), rows, steps, levels), steps, rows, k, h);
                double rtn = error(m, GptqQuantizer.roundToNearest(m, rows, k, steps, levels), steps, rows, k, h);
                assertTrue(gptq <= rtn, "k " + k + ", factor " + factor + ": GPTQ " + gptq + " > round to nearest " + rtn);
            }
        }
    }

    /**
     * The lazy block updates (k spans three blocks) give the symbols of the paper's unblocked form:
     * quantize column i, move the other unquantized columns by -(w_i - q_i) Hinv[:, i] / Hinv[i, i],
     * then eliminate i from Hinv.
     */
    @Test
    void blockedUpdatesMatchTheObsForm() {
        Random rnd = new Random(9);
        int rows = 4;
        int k = 2 * GptqQuantizer.BLOCK + 37;
        double[] h = gram(rnd, 2 * k, k);
        double[] m = randomMatrix(rnd, rows, k);
        float[] steps = steps(m, rows, k, 0.25);
        int levels = UniformQuantizer.levels(0.25);
        int[] blocked = new GptqQuantizer(h, k).quantize(m.clone(), rows, steps, levels);

        double[] damped = h.clone();
        double mean = 0;
        for (int i = 0; i < k; i++) mean += damped[i * k + i] / k;
        for (int i = 0; i < k; i++) damped[i * k + i] += GptqQuantizer.DAMPING * mean;
        int[] reference = new int[rows * k];
        for (int r = 0; r < rows; r++) {
            double[] w = java.util.Arrays.copyOfRange(m, r * k, (r + 1) * k);
            double[] inv = GptqQuantizer.inverseFromCholesky(GptqQuantizer.cholesky(damped, k), k);
            for (int i = 0; i < k; i++) {
                int q = GptqQuantizer.round(w[i], steps[r], levels);
                reference[r * k + i] = q;
                double e = (w[i] - q * steps[r]) / inv[i * k + i];
                for (int j = i + 1; j < k; j++) w[j] -= e * inv[j * k + i];
                double[] next = inv.clone();
                for (int a = 0; a < k; a++) for (int b = 0; b < k; b++) next[a * k + b] -= inv[a * k + i] * inv[i * k + b] / inv[i * k + i];
                inv = next;
            }
        }
        int differing = 0;
        for (int i = 0; i < blocked.length; i++) if (blocked[i] != reference[i]) differing++;
        // Rounding ties may fall either way under different summation orders; nothing else may differ.
        assertTrue(differing <= 1, differing + " of " + blocked.length + " symbols differ");
    }

    private static double[] randomMatrix(Random rnd, int rows, int k) {
        double[] m = new double[rows * k];
        for (int i = 0; i < m.length; i++) m[i] = rnd.nextGaussian();
        return m;
    }

    /** X^T X of n correlated random rows (a shared component), so H is far from diagonal. */
    private static double[] gram(Random rnd, int n, int k) {
        double[] h = new double[k * k];
        double[] x = new double[k];
        for (int r = 0; r < n; r++) {
            double common = rnd.nextGaussian();
            for (int i = 0; i < k; i++) x[i] = rnd.nextGaussian() + 2 * common + (i > 0 ? 0.5 * x[i - 1] : 0);
            for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) h[i * k + j] += x[i] * x[j];
        }
        return h;
    }

    private static float[] steps(double[] m, int rows, int k, double factor) {
        float[] s = new float[rows];
        for (int r = 0; r < rows; r++) {
            double max = 0;
            for (int i = 0; i < k; i++) max = Math.max(max, Math.abs(m[r * k + i]));
            s[r] = (float) (factor * max);
        }
        return s;
    }

    private static double error(double[] m, int[] q, float[] steps, int rows, int k, double[] h) {
        double[] d = new double[m.length];
        for (int r = 0; r < rows; r++) for (int i = 0; i < k; i++) d[r * k + i] = q[r * k + i] * (double) steps[r] - m[r * k + i];
        return GptqQuantizer.quadratic(d, rows, k, h);
    }
}
