package dev.l2c.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DataFreeObjectiveTest {
    static FloatBuffer floats(float[] v) {
        FloatBuffer b = ByteBuffer.allocateDirect(4 * Math.max(1, v.length)).order(ByteOrder.nativeOrder()).asFloatBuffer();
        return b.put(v).flip();
    }

    @Test
    void gradientMatchesCentralDifferences() {
        Random rnd = new Random(7);
        float[][] w = new float[3][];
        float[][] r = new float[3][];
        int[] sizes = {5, 17, 64};
        for (int l = 0; l < 3; l++) {
            w[l] = new float[sizes[l]];
            r[l] = new float[sizes[l]];
            for (int i = 0; i < sizes[l]; i++) {
                w[l][i] = (float) rnd.nextGaussian() * (l + 1);
                r[l][i] = w[l][i] + (float) rnd.nextGaussian() * 0.1f;
            }
        }
        DataFreeObjective d = new DataFreeObjective(List.of(floats(w[0]), floats(w[1]), floats(w[2])));
        FloatBuffer[] wHat = {floats(r[0]), floats(r[1]), floats(r[2])};
        FloatBuffer[] grad = {floats(new float[5]), floats(new float[17]), floats(new float[64])};
        double value = d.evaluate(wHat, grad);
        double expected = 0;
        for (int l = 0; l < 3; l++) {
            double num = 0;
            double den = 0;
            for (int i = 0; i < sizes[l]; i++) {
                num += Math.pow((double) r[l][i] - w[l][i], 2);
                den += Math.pow(w[l][i], 2);
            }
            double eps = num / den;
            expected += eps / (1 - eps);
            assertEquals(eps / (1 - eps), d.lastTerm(l), 1e-12 + 1e-9 * eps);
        }
        assertEquals(expected, value, 1e-9 * expected);
        // D is smooth in wHat; a small h in float keeps the central difference's error in rounding.
        float h = 1e-3f;
        for (int l = 0; l < 3; l++) {
            for (int i = 0; i < sizes[l]; i += 3) {
                float saved = wHat[l].get(i);
                wHat[l].put(i, saved + h);
                double plus = d.evaluate(wHat, null);
                wHat[l].put(i, saved - h);
                double minus = d.evaluate(wHat, null);
                wHat[l].put(i, saved);
                double step = ((double) (saved + h) - (double) (saved - h));
                double numeric = (plus - minus) / step;
                assertEquals(numeric, grad[l].get(i), 1e-3 * Math.max(1e-3, Math.abs(numeric)), "tensor " + l + " element " + i);
            }
        }
    }

    /** phi(eps) = eps / (1 - eps): about eps when small, without bound towards 1, finite and rising past it. */
    @Test
    void destroyingATensorCostsFarMoreThanItsSmallErrorPrice() {
        float[] w = {3, -4};
        DataFreeObjective d = new DataFreeObjective(List.of(floats(w)));
        double small = d.evaluate(new FloatBuffer[] {floats(new float[] {3.1f, -4f})}, null);
        assertEquals(0.0004 / 0.9996, small, 1e-7);
        FloatBuffer grad = floats(new float[2]);
        double zero = d.evaluate(new FloatBuffer[] {floats(new float[2])}, new FloatBuffer[] {grad});
        double knee = DataFreeObjective.KNEE;
        assertEquals(knee / (1 - knee) + (1 - knee) / ((1 - knee) * (1 - knee)), zero, 1e-9);
        assertTrue(zero > 1e4 * small, zero + " vs " + small);
        // Past the knee the gradient is the tangent's: 2 (What - W) / ||W||^2 / (1 - KNEE)^2.
        assertEquals(2 * -3 / 25.0 / ((1 - knee) * (1 - knee)), grad.get(0), 1e-3);
        double beyond = d.evaluate(new FloatBuffer[] {floats(new float[] {-3, 4})}, null);
        assertTrue(beyond > zero, "error 4 costs more than error 1");
    }

    /**
     * A paired bias is measured against its layer's output energy ||W||^2 + ||b||^2 and stays
     * quadratic; its gradient matches central differences like the weights'.
     */
    @Test
    void pairedBiasIsMeasuredAgainstItsLayer() {
        Random rnd = new Random(3);
        float[] w = new float[48];
        for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextGaussian();
        float[] b = {0.5f, -0.25f, 0.1f, 0f};
        double wSq = 0;
        for (float v : w) wSq += v * v;
        double bSq = 0.25 + 0.0625 + 0.01;
        List<CalibTensor> ts = List.of(new CalibTensor("conv.weight", new long[] {4, 12}, floats(w)),
                new CalibTensor("conv.bias", new long[] {4}, floats(b)));
        DataFreeObjective d = DataFreeObjective.of(ts, java.util.Map.of("conv.bias", wSq));
        FloatBuffer[] wHat = {floats(w.clone()), floats(new float[4])};
        FloatBuffer[] grad = {floats(new float[48]), floats(new float[4])};
        double value = d.evaluate(wHat, grad);
        assertEquals(0, d.lastTerm(0), 0);
        assertEquals(bSq / (wSq + bSq), d.lastTerm(1), 1e-6 * bSq / wSq);
        assertEquals(d.lastTerm(1), value, 1e-12);
        for (int i = 0; i < 4; i++) assertEquals(-2 * b[i] / (wSq + bSq), grad[1].get(i), 1e-6);
        // Unpaired, the same bias zeroed would be a destroyed tensor.
        DataFreeObjective alone = DataFreeObjective.of(ts, java.util.Map.of());
        assertTrue(alone.evaluate(wHat, null) > 50);
    }

    /**
     * In data-free mode a vector counts VECTOR_WEIGHT times its relative error, quadratic (no
     * saturation), with the exact gradient; a matrix beside it is still a weight.
     */
    @Test
    void dataFreeModeWeighsVectorsByTheirOwnRelativeError() {
        float[] w = {1, -2, 3, 0.5f, -1, 2};
        float[] b = {0.5f, -0.25f, 0.1f};
        double bSq = 0.25 + 0.0625 + 0.01;
        List<CalibTensor> ts = List.of(new CalibTensor("fc.weight", new long[] {3, 2}, floats(w)),
                new CalibTensor("norm.scale", new long[] {3}, floats(b)));
        DataFreeObjective d = DataFreeObjective.of(ts);
        float[] bHat = {0.5f, -0.25f, 0f};
        FloatBuffer[] grad = {floats(new float[6]), floats(new float[3])};
        double value = d.evaluate(new FloatBuffer[] {floats(w.clone()), floats(bHat)}, grad);
        double term = DataFreeObjective.VECTOR_WEIGHT * (0.1 * 0.1) / bSq;
        assertEquals(term, d.lastTerm(1), 1e-6 * term);
        assertEquals(term, value, 1e-6 * term);
        assertEquals(0, grad[1].get(0), 0);
        assertEquals(DataFreeObjective.VECTOR_WEIGHT * 2 * (0 - 0.1f) / bSq, grad[1].get(2), 1e-3);
        // The lambda heuristic sees the plain relative error: the weight keeps vectors near exact, it
        // does not set the price of a bit.
        assertEquals(term / DataFreeObjective.VECTOR_WEIGHT, d.lastRateSlope(1), 1e-6 * term);
        // Zeroed, the vector costs VECTOR_WEIGHT (quadratic), where a zeroed weight costs phi(1) = 199.
        assertEquals(DataFreeObjective.VECTOR_WEIGHT, d.evaluate(new FloatBuffer[] {floats(w.clone()), floats(new float[3])}, null),
                1e-9 * DataFreeObjective.VECTOR_WEIGHT);
        assertEquals(DataFreeObjective.phi(1), d.evaluate(new FloatBuffer[] {floats(new float[6]), floats(b.clone())}, null), 1e-9);
    }

    @Test
    void zeroTensorUsesAbsoluteError() {
        DataFreeObjective d = new DataFreeObjective(List.of(floats(new float[4])));
        double v = d.evaluate(new FloatBuffer[] {floats(new float[] {1, 0, 0, 2})}, null);
        assertEquals(5, v, 1e-12);
    }
}
