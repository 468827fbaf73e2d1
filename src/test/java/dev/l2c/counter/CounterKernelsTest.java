package dev.l2c.counter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CounterKernelsTest {
    private final CounterKernels cpu = new CpuCounterKernels(2);

    static FloatBuffer direct(float[] v) {
        FloatBuffer b = ByteBuffer.allocateDirect(4 * v.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(v).flip();
        return b;
    }

    static float[] laplace(int n, double scale, long seed) {
        Random r = new Random(seed);
        float[] c = new float[n];
        for (int i = 0; i < n; i++) {
            double m = -scale * Math.log(1 - r.nextDouble());
            c[i] = (float) (r.nextBoolean() ? m : -m);
        }
        return c;
    }

    static void assertClose(double expected, double actual, double rel, String what) {
        double tol = rel * Math.max(1e-12, Math.abs(expected));
        assertTrue(Math.abs(expected - actual) <= tol, what + ": expected " + expected + ", got " + actual);
    }

    @Test
    void forwardEqualsBruteForce() throws L2cException {
        for (int n : new int[] {1, 7, 200, 2000}) {
            for (double scale : new double[] {0.3, 3}) {
                float[] c = laplace(n, scale, n * 31L + (long) (scale * 10));
                for (CounterKernel k : CounterKernel.values()) {
                    for (int resolution : new int[] {1, 8, 64, 256}) {
                        assertMatchesBruteForce(c, k, resolution, k + " n=" + n + " scale=" + scale + " res=" + resolution);
                    }
                }
            }
        }
    }

    /**
     * Codes exactly on half-integers: the kernels take a code's bin from its cell, where a
     * negative half-integer rounds away from zero into the bin below; also the largest code on one.
     */
    @Test
    void halfIntegerCodesRoundAwayFromZero() throws L2cException {
        Random r = new Random(23);
        float[] mixed = laplace(3000, 3, 4);
        for (int i = 0; i < mixed.length; i += 3) mixed[i] = (float) (Math.floor(mixed[i]) + 0.5);
        float[] negative = new float[1000];
        for (int i = 0; i < negative.length; i++) negative[i] = -0.5f - r.nextInt(6) - (i % 4 == 0 ? 0.25f : 0f);
        negative[0] = -1.5f;  // the maximum, itself a negative half-integer
        for (int i = 1; i < negative.length; i++) negative[i] = Math.min(negative[i], -1.5f);
        for (float[] c : new float[][] {mixed, negative, {-0.5f, 0.5f, -0.5f}, {-2.5f, -2.5f}}) {
            for (CounterKernel k : CounterKernel.values())
                for (int resolution : new int[] {3, 64})
                    assertMatchesBruteForce(c, k, resolution, k + " n=" + c.length + " res=" + resolution);
        }
    }

    private void assertMatchesBruteForce(float[] c, CounterKernel k, int resolution, String label) throws L2cException {
        int n = c.length;
        CounterKernels.Rate rate = cpu.forward(direct(c), n, k, resolution);
        double delta = CounterReference.delta(c, resolution);
        double[] cd = CounterReference.toDouble(c);
        TreeMap<Long, Integer> counts = new TreeMap<>();
        for (float v : c) counts.merge(CounterReference.symbol(v), 1, Integer::sum);
        assertEquals(counts.firstKey(), (long) rate.minSymbol(), label);
        assertEquals(counts.lastKey() - counts.firstKey() + 1, rate.probs().length, label);
        double bits = 0;
        for (int b = 0; b < rate.probs().length; b++) {
            double p = CounterReference.p(k, cd, delta, rate.minSymbol() + b);
            assertClose(p, rate.probs()[b], 1e-5, label + " p(" + (rate.minSymbol() + b) + ")");
            Integer nk = counts.get((long) rate.minSymbol() + b);
            if (nk != null) bits -= nk * Math.log(p) / Math.log(2);
        }
        assertClose(bits, rate.bits(), 1e-5, label + " bits");
    }

    /** forwardBackward gives what forward then backward give, bit for bit, also in place and for wide ranges. */
    @Test
    void fusedCallEqualsForwardThenBackward() throws L2cException {
        float[] wide = laplace(20_000, 900, 8);  // over 4096 bins: the probs array is sized in a second call
        float[] halves = laplace(50_001, 3, 12);
        for (int i = 0; i < halves.length; i += 5) halves[i] = (float) (Math.floor(halves[i]) + 0.5);
        for (float[] c : new float[][] {halves, wide}) {
            int n = c.length;
            for (CounterKernel k : CounterKernel.values()) {
                CounterKernels.Rate separate = cpu.forward(direct(c), n, k, 64);
                FloatBuffer g = direct(new float[n]), fusedGrad = direct(new float[n]);
                cpu.backward(direct(c), n, k, 64, 0.75f, g);
                CounterKernels.Rate fused = cpu.forwardBackward(direct(c), n, k, 64, 0.75f, fusedGrad);
                assertEquals(separate.bits(), fused.bits(), k + " bits");
                assertEquals(separate.minSymbol(), fused.minSymbol());
                assertArrayEquals(separate.probs(), fused.probs(), k + " probs");
                assertEquals(g, fusedGrad, k + " gradient");
                FloatBuffer inPlace = direct(c);
                CounterKernels.Rate again = cpu.forwardBackward(inPlace, n, k, 64, 0.75f, inPlace);
                assertEquals(separate.bits(), again.bits());
                assertEquals(g, inPlace, k + " gradient written over the codes");
            }
        }
    }

    /**
     * Gradient check. The counter's rate with the straight-through symbol is
     * R~(c) = -sum_i log2 p_c(q_i + (c_i - c0_i)), p_c(x) = (F_c(x + 1/2) - F_c(x - 1/2)) / N: the
     * queries move with their own code (dq/dc = 1) while the symbols q_i = round(c0_i) stay fixed,
     * and delta stays at its value for c0 (no gradient). R~ is smooth in c away from the kernel's
     * support edges, and its derivative at c0 is exactly the two paths of the backward pass (kernel
     * position through F, query point through f = F'). So we compare the kernel's dR/dc_j with a
     * central difference of R~ in double, evaluated by brute force.
     */
    @Test
    void backwardMatchesFiniteDifferences() throws L2cException {
        int n = 150;
        for (CounterKernel k : CounterKernel.values()) {
            for (int resolution : new int[] {8, 64}) {
                float[] c = laplace(n, 2.5, 7 + resolution);
                FloatBuffer grad = direct(new float[n]);
                cpu.backward(direct(c), n, k, resolution, 1f, grad);
                double delta = CounterReference.delta(c, resolution);
                double[] c0 = CounterReference.toDouble(c);
                double[] q0 = new double[n];
                for (int i = 0; i < n; i++) q0[i] = CounterReference.symbol(c[i]);
                double maxGrad = 0;
                for (int j = 0; j < n; j++) maxGrad = Math.max(maxGrad, Math.abs(grad.get(j)));
                for (int j = 0; j < n; j += 7) {
                    double h = 1e-6;
                    double up = rateShifted(k, c0, q0, delta, j, h), down = rateShifted(k, c0, q0, delta, j, -h);
                    double fd = (up - down) / (2 * h);
                    double tol = 1e-4 * Math.max(Math.abs(fd), 1e-3 * maxGrad);
                    assertTrue(Math.abs(fd - grad.get(j)) <= tol,
                            k + " res=" + resolution + " dR/dc_" + j + ": fd " + fd + ", kernel " + grad.get(j));
                }
            }
        }
    }

    private static double rateShifted(CounterKernel k, double[] c0, double[] q0, double delta, int j, double h) {
        double[] c = c0.clone();
        double[] q = q0.clone();
        c[j] += h;
        q[j] += h;
        return CounterReference.rateAt(k, c, delta, q);
    }

    @Test
    void scaleMultipliesTheGradient() throws L2cException {
        float[] c = laplace(500, 2, 3);
        FloatBuffer g1 = direct(new float[500]), g3 = direct(new float[500]);
        cpu.backward(direct(c), 500, CounterKernel.COS, 64, 1f, g1);
        cpu.backward(direct(c), 500, CounterKernel.COS, 64, -3f, g3);
        for (int i = 0; i < 500; i++) assertClose(-3.0 * g1.get(i), g3.get(i), 1e-6, "element " + i);
    }

    @Test
    void laplacianRateIsCloseToTheEmpiricalEntropy() throws L2cException {
        int n = 100_000;
        for (double scale : new double[] {1, 4}) {
            float[] c = laplace(n, scale, 11);
            TreeMap<Long, Integer> counts = new TreeMap<>();
            for (float v : c) counts.merge(CounterReference.symbol(v), 1, Integer::sum);
            double entropyBits = 0;
            for (int nk : counts.values()) entropyBits -= nk * Math.log((double) nk / n) / Math.log(2);
            for (CounterKernel k : CounterKernel.values()) {
                double bits = cpu.forward(direct(c), n, k, 64).bits();
                // p sums to at most 1, so by Gibbs the rate is never below the entropy.
                assertTrue(bits >= entropyBits * (1 - 1e-9), k + ": " + bits + " < entropy " + entropyBits);
                assertTrue(bits <= entropyBits * 1.04, k + " scale " + scale + ": " + bits / n + " bits/code vs entropy "
                        + entropyBits / n);
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() throws L2cException {
        int n = 300_001;
        float[] c = laplace(n, 6, 5);
        CounterKernels one = new CpuCounterKernels(1);
        for (CounterKernel k : CounterKernel.values()) {
            CounterKernels.Rate a = one.forward(direct(c), n, k, 64), b = cpu.forward(direct(c), n, k, 64);
            assertEquals(a.bits(), b.bits());
            assertArrayEquals(a.probs(), b.probs());
            FloatBuffer ga = direct(new float[n]), gb = direct(new float[n]);
            one.backward(direct(c), n, k, 64, 1f, ga);
            cpu.backward(direct(c), n, k, 64, 1f, gb);
            assertEquals(ga, gb);
        }
    }

    @Test
    void constantCodesUseDeltaOne() throws L2cException {
        float[] c = {2f, 2f, 2f, 2f};
        CounterKernels.Rate rate = cpu.forward(direct(c), 4, CounterKernel.LIN, 64);
        assertEquals(2, rate.minSymbol());
        // delta = 1: p(2) = K(0.5) - K(-0.5) = 0.75 - 0.25 for the linear kernel.
        assertClose(0.5, rate.probs()[0], 1e-9, "p(2)");
        assertClose(4.0, rate.bits(), 1e-9, "bits");
    }

    @Test
    void wideCodeRangesNeedASecondCall() throws L2cException {
        float[] c = laplace(20_000, 500, 9);
        for (int i = 0; i < c.length; i++) c[i] = Math.max(-5999f, Math.min(5999f, c[i]));
        c[0] = -6000.4f;
        c[1] = 6000.4f;
        CounterKernels.Rate rate = cpu.forward(direct(c), c.length, CounterKernel.TRI, 64);
        assertEquals(-6000, rate.minSymbol());
        assertEquals(12001, rate.probs().length);
        double total = 0;
        for (double p : rate.probs()) total += p;
        assertTrue(total > 0.99 && total <= 1 + 1e-9, "probabilities sum to " + total);
    }

    @Test
    void badInputFailsCleanly() {
        float[] c = laplace(100, 2, 1);
        c[42] = Float.NaN;
        L2cException nan = assertThrows(L2cException.class, () -> cpu.forward(direct(c), 100, CounterKernel.COS, 64));
        assertTrue(nan.getMessage().contains("code 42"), nan.getMessage());
        c[42] = Float.POSITIVE_INFINITY;
        assertThrows(L2cException.class, () -> cpu.backward(direct(c), 100, CounterKernel.COS, 64, 1f, direct(new float[100])));
        float[] wide = {-1e7f, 1e7f};
        L2cException range = assertThrows(L2cException.class, () -> cpu.forward(direct(wide), 2, CounterKernel.LIN, 64));
        assertTrue(range.getMessage().contains("2^20"), range.getMessage());
        float[] ok = laplace(100, 2, 1);
        assertThrows(IllegalArgumentException.class, () -> cpu.forward(direct(ok), 0, CounterKernel.COS, 64));
        assertThrows(IllegalArgumentException.class, () -> cpu.forward(direct(ok), 101, CounterKernel.COS, 64));
        assertThrows(IllegalArgumentException.class, () -> cpu.forward(direct(ok), 100, CounterKernel.COS, 0));
        assertThrows(IllegalArgumentException.class, () -> cpu.forward(FloatBuffer.wrap(ok), 100, CounterKernel.COS, 64));
        assertThrows(IllegalArgumentException.class,
                () -> cpu.backward(direct(ok), 100, CounterKernel.COS, 64, 1f, direct(new float[99])));
    }

    /** Prints single-thread throughput at the size of a 512x512x3x3 convolution (report figure). */
    @Test
    void throughputOfOneThread() throws L2cException {
        int n = 2_359_296;
        CounterKernels one = new CpuCounterKernels(1);
        for (double scale : new double[] {1, 4}) {
            float[] c = laplace(n, scale, 1);
            FloatBuffer cb = direct(c), g = direct(new float[n]);
            for (CounterKernel k : CounterKernel.values()) {
                one.forwardBackward(cb, n, k, 64, 1f, g);
                long t0 = System.nanoTime();
                int reps = 3;
                for (int r = 0; r < reps; r++) assertTrue(one.forwardBackward(cb, n, k, 64, 1f, g).bits() > 0);
                double s = (System.nanoTime() - t0) / 1e9 / reps;
                System.out.printf("counter %s laplace(%.0f) forwardBackward, 1 thread: %.1f M elements/s%n", k, scale,
                        n / s / 1e6);
            }
        }
    }
}
