package dev.l2c.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.l2c.nativelib.CpuKernels;
import dev.l2c.nativelib.NativeStatus;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The native reconstruction Adam step (l2c/adam_cpu.h) gives the bits of the Java loop it
 * replaced, for any thread count, with frozen elements, clamping at both ends and signed zeros;
 * a non-finite gradient names its first element.
 */
class ReconAdamStepTest {
    private static final double B1 = 0.9, B2 = 0.999, EPS = 1e-12;

    @Test
    void matchesTheJavaLoop() {
        Random rnd = new Random(5);
        int count = 7, inner = 300, n = count * inner * 3;
        float[] units = new float[count];
        for (int c = 0; c < count; c++) units[c] = (float) (0.001 + rnd.nextDouble() * 0.01);
        float[] w = new float[n], anchor = new float[n], m = new float[n], v = new float[n], g = new float[n];
        boolean[] frozen = new boolean[n];
        for (int i = 0; i < n; i++) {
            anchor[i] = i % 11 == 0 ? 0f : i % 13 == 0 ? -0f : (float) rnd.nextGaussian() * 0.02f;
            w[i] = anchor[i];
            frozen[i] = i % 9 == 0;
            g[i] = i % 17 == 0 ? -0f : (float) (rnd.nextGaussian() * (i % 5 == 0 ? 1e3 : 1));
        }
        for (int threads : new int[] {1, 2, 3}) {
            float[] jw = w.clone(), jm = m.clone(), jv = v.clone();
            FloatBuffer nw = TransformOptimizer.floats(n).put(0, w), nm = TransformOptimizer.floats(n),
                    nv = TransformOptimizer.floats(n), ng = TransformOptimizer.floats(n).put(0, g),
                    na = TransformOptimizer.floats(n).put(0, anchor);
            ByteBuffer nf = ByteBuffer.allocateDirect(n);
            for (int i = 0; i < n; i++) nf.put(i, (byte) (frozen[i] ? 1 : 0));
            for (int step = 1; step <= 4; step++) {
                double lr = 0.1 * step, c1 = 1 - Math.pow(B1, step), c2 = 1 - Math.pow(B2, step);
                for (int i = 0; i < n; i++) {
                    if (frozen[i]) continue;
                    double gi = g[i];
                    jm[i] = (float) (B1 * jm[i] + (1 - B1) * gi);
                    jv[i] = (float) (B2 * jv[i] + (1 - B2) * gi * gi);
                    double unit = units[(i / inner) % count];
                    double update = lr * unit * (jm[i] / c1) / (Math.sqrt(jv[i] / c2) + EPS);
                    double a = anchor[i];
                    jw[i] = (float) Math.max(a - unit, Math.min(a + unit, jw[i] - update));
                }
                long[] err = {-1};
                assertEquals(0, CpuKernels.l2c_recon_adam_step(nw, ng, nm, nv, na, nf, n, units, count, inner, lr, B1, B2,
                        c1, c2, EPS, threads, err));
            }
            float[] got = new float[n];
            nw.get(0, got);
            assertArrayEquals(floatBits(jw), floatBits(got));
            nm.get(0, got);
            assertArrayEquals(floatBits(jm), floatBits(got));
            nv.get(0, got);
            assertArrayEquals(floatBits(jv), floatBits(got));
        }
    }

    @Test
    void nonFiniteGradientNamesItsElement() {
        int n = 200_000;
        FloatBuffer g = TransformOptimizer.floats(n).put(150_000, Float.POSITIVE_INFINITY).put(190_000, Float.NaN);
        long[] err = {-1};
        int status = CpuKernels.l2c_recon_adam_step(TransformOptimizer.floats(n), g, TransformOptimizer.floats(n),
                TransformOptimizer.floats(n), TransformOptimizer.floats(n), ByteBuffer.allocateDirect(n), n, new float[] {1f}, 1, n,
                0.1, B1, B2, 0.1, 0.001, EPS, 2, err);
        assertEquals(NativeStatus.ERR_NON_FINITE.code, status);
        assertEquals(150_000, err[0]);
    }

    private static int[] floatBits(float[] a) {
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) out[i] = Float.floatToRawIntBits(a[i]);
        return out;
    }
}
