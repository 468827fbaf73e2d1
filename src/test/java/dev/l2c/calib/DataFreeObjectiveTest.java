package dev.l2c.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
            expected += num / den;
            assertEquals(num / den, d.lastTerm(l), 1e-12 + 1e-9 * num / den);
        }
        assertEquals(expected, value, 1e-9 * expected);
        // D is quadratic in wHat, so the central difference is exact up to rounding; h in float.
        float h = 1e-2f;
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
                assertEquals(numeric, grad[l].get(i), 1e-5 * Math.max(1e-3, Math.abs(numeric)), "tensor " + l + " element " + i);
            }
        }
    }

    @Test
    void zeroTensorUsesAbsoluteError() {
        DataFreeObjective d = new DataFreeObjective(List.of(floats(new float[4])));
        double v = d.evaluate(new FloatBuffer[] {floats(new float[] {1, 0, 0, 2})}, null);
        assertEquals(5, v, 1e-12);
    }
}
