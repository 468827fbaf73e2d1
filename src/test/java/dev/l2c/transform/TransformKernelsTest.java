package dev.l2c.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TransformKernelsTest {
    private final TransformKernels cpu = new CpuTransformKernels(2);

    static FloatBuffer floats(float[] v) {
        FloatBuffer b = ByteBuffer.allocateDirect(4 * v.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(v).flip();
        return b;
    }

    static FloatBuffer floats(int n) {
        return floats(new float[n]);
    }

    static IntBuffer ints(int n) {
        return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asIntBuffer();
    }

    static float[] weights(int n, long seed) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (r.nextGaussian() * 0.05);
        return w;
    }

    /** Parameters of `count` channels, parameter-major, each channel slightly different. */
    static float[] params(TransformKind kind, int count) {
        float[] p = new float[kind.paramsPerChannel * count];
        for (int ch = 0; ch < count; ch++) {
            double f = 1 + 0.1 * ch;
            double[] one = switch (kind) {
                case UNIFORM -> new double[] {0.0071 * f};
                case EDGE_SCALE -> new double[] {0.013 * f, 0.0093 * f};
                case PIECEWISE -> new double[] {0.011 * f, 0.0067 * f, 0.0613 * f, 0.017 * f};
            };
            for (int k = 0; k < one.length; k++) p[k * count + ch] = (float) one[k];
        }
        return p;
    }

    static double[] channelParams(TransformKind kind, float[] params, int count, int ch) {
        double[] p = new double[kind.paramsPerChannel];
        for (int k = 0; k < p.length; k++) p[k] = params[k * count + ch];
        return p;
    }

    @Test
    void forwardMatchesTheFormulasAndDecodeInvertsEncode() throws L2cException {
        long[] shape = {6, 5, 7};
        int n = 6 * 5 * 7;
        for (TransformKind kind : TransformKind.values()) {
            for (Channels ch : new Channels[] {Channels.whole(n), Channels.along(shape, 0), Channels.along(shape, 1),
                    Channels.along(shape, 2)}) {
                float[] w = weights(n, kind.ordinal() * 10L + ch.axis());
                float[] p = params(kind, ch.count());
                FloatBuffer c = floats(n), wHat = floats(n);
                IntBuffer q = ints(n);
                cpu.forward(kind, floats(w), n, ch, floats(p), c, q, wHat);
                for (int i = 0; i < n; i++) {
                    double[] pc = channelParams(kind, p, ch.count(), ch.of(i));
                    String at = kind + " axis " + ch.axis() + " element " + i;
                    assertEquals((float) TransformReference.encode(kind, pc, w[i]), c.get(i), at);
                    assertEquals(TransformReference.symbol(kind, pc, w[i]), q.get(i), at);
                    assertEquals((float) TransformReference.decode(kind, pc, q.get(i)), wHat.get(i), at);
                    // decode(encode(w)) == w on the reals, up to the float rounding of c.
                    double back = TransformReference.decode(kind, pc, c.get(i));
                    assertEquals(w[i], back, 1e-6 * Math.max(1e-3, Math.abs(w[i])) + 1e-9, at);
                }
            }
        }
    }

    @Test
    void theDeadZoneIsExactlyPruned() throws L2cException {
        float e = 0.013f;
        float[] w = {0f, e, -e, Math.nextUp(e), -Math.nextUp(e), 0.5f * e, Math.nextDown(e), 2 * e, -3 * e};
        float[] p = {e, 0.02f};
        IntBuffer q = ints(w.length);
        cpu.forward(TransformKind.EDGE_SCALE, floats(w), w.length, Channels.whole(w.length), floats(p), null, q, null);
        for (int i = 0; i < w.length; i++)
            assertEquals(Math.abs(w[i]) <= e, q.get(i) == 0, "w = " + w[i] + " gave q = " + q.get(i));
    }

    /**
     * Gradient check. With the straight-through estimator the kernel differentiates
     * h(w, theta) = sum_i gWHat_i * decode(c_i(w, theta) + k_i; theta) + sum_i gC_i * c_i(w, theta),
     * where k_i = q_i - c_i is frozen at the unperturbed point (stopgrad). h is smooth away from the
     * dead-zone edge e, the knee b and the decode segments' ends, so a central difference of h in
     * double (the Java reference) must match the kernel's gW and gParams; elements within a
     * relative 1e-3 of e or b are dropped so no difference straddles a kink.
     */
    @Test
    void backwardMatchesFiniteDifferences() throws L2cException {
        long[] shape = {4, 3, 25};
        int n = 300;
        Random r = new Random(17);
        for (TransformKind kind : TransformKind.values()) {
            for (Channels ch : new Channels[] {Channels.whole(n), Channels.along(shape, 1)}) {
                float[] p = params(kind, ch.count());
                float[] w = weights(n, 3 + kind.ordinal());
                for (int i = 0; i < n; i++) {
                    double[] pc = channelParams(kind, p, ch.count(), ch.of(i));
                    while (nearKink(kind, pc, w[i])) w[i] = (float) (r.nextGaussian() * 0.05);
                }
                float[] gWHat = new float[n], gC = new float[n];
                for (int i = 0; i < n; i++) {
                    gWHat[i] = (float) r.nextGaussian();
                    gC[i] = (float) (0.01 * r.nextGaussian());
                }
                FloatBuffer gW = floats(n), gParams = floats(p.length);
                cpu.backward(kind, floats(w), n, ch, floats(p), floats(gWHat), floats(gC), gW, gParams);
                double[][] pcs = new double[ch.count()][];
                for (int c = 0; c < ch.count(); c++) pcs[c] = channelParams(kind, p, ch.count(), c);
                double[] k = new double[n];
                for (int i = 0; i < n; i++) {
                    double[] pc = pcs[ch.of(i)];
                    k[i] = TransformReference.symbol(kind, pc, w[i]) - TransformReference.encode(kind, pc, w[i]);
                }
                for (int i = 0; i < n; i++) {
                    double[] pc = pcs[ch.of(i)];
                    double h = 1e-7;
                    double fd = (steTerm(kind, pc, w[i] + h, k[i], gWHat[i], gC[i])
                            - steTerm(kind, pc, w[i] - h, k[i], gWHat[i], gC[i])) / (2 * h);
                    assertNear(fd, gW.get(i), kind + " axis " + ch.axis() + " dL/dw_" + i);
                }
                for (int c = 0; c < ch.count(); c++) {
                    for (int j = 0; j < kind.paramsPerChannel; j++) {
                        double h = 1e-7 * pcs[c][j];
                        double fd = 0;
                        for (int i = 0; i < n; i++) {
                            if (ch.of(i) != c) continue;
                            double[] up = pcs[c].clone(), down = pcs[c].clone();
                            up[j] += h;
                            down[j] -= h;
                            fd += (steTerm(kind, up, w[i], k[i], gWHat[i], gC[i])
                                    - steTerm(kind, down, w[i], k[i], gWHat[i], gC[i])) / (2 * h);
                        }
                        assertNear(fd, gParams.get(j * ch.count() + c), kind + " axis " + ch.axis() + " dL/dparam" + j
                                + " of channel " + c);
                    }
                }
            }
        }
    }

    private static boolean nearKink(TransformKind kind, double[] p, double w) {
        if (kind == TransformKind.UNIFORM) return false;
        double a = Math.abs(w);
        if (Math.abs(a - p[0]) < 1e-3 * p[0]) return true;
        return kind == TransformKind.PIECEWISE && Math.abs(a - p[2]) < 1e-3 * p[2];
    }

    private static double steTerm(TransformKind kind, double[] p, double w, double k, double gWHat, double gC) {
        double c = TransformReference.encode(kind, p, w);
        return gWHat * TransformReference.decode(kind, p, c + k) + gC * c;
    }

    private static void assertNear(double expected, double actual, String what) {
        double tol = 1e-4 * Math.max(1, Math.abs(expected));
        assertTrue(Math.abs(expected - actual) <= tol, what + ": finite difference " + expected + ", kernel " + actual);
    }

    @Test
    void backwardAddsIntoGParamsAndIsThreadCountIndependent() throws L2cException {
        int n = 200_003;
        float[] w = weights(n, 5), g = weights(n, 6);
        float[] p = params(TransformKind.PIECEWISE, 1);
        FloatBuffer once = floats(4), twice = floats(4), single = floats(4);
        cpu.backward(TransformKind.PIECEWISE, floats(w), n, Channels.whole(n), floats(p), floats(g), null, null, once);
        cpu.backward(TransformKind.PIECEWISE, floats(w), n, Channels.whole(n), floats(p), floats(g), null, null, twice);
        cpu.backward(TransformKind.PIECEWISE, floats(w), n, Channels.whole(n), floats(p), floats(g), null, null, twice);
        new CpuTransformKernels(1).backward(TransformKind.PIECEWISE, floats(w), n, Channels.whole(n), floats(p),
                floats(g), null, null, single);
        for (int j = 0; j < 4; j++) {
            assertTrue(once.get(j) != 0f, "parameter " + j + " got no gradient");
            assertEquals(2 * once.get(j), twice.get(j), 1e-6 * Math.abs(once.get(j)));
            assertEquals(once.get(j), single.get(j), "parameter " + j + " differs between 1 and 2 threads");
        }
    }

    /** gC enters as gCScale * gC: scale 1 is the plain call, other scales match a pre-scaled gC. */
    @Test
    void theRateGradientScaleMultipliesGC() throws L2cException {
        int n = 40_000;
        long[] shape = {40, 1000};
        float[] w = weights(n, 8), gWHat = weights(n, 9), gC = weights(n, 10);
        double scale = 3.75;
        float[] scaled = new float[n];
        for (int i = 0; i < n; i++) scaled[i] = (float) (scale * gC[i]);
        for (TransformKind kind : TransformKind.values()) {
            Channels ch = Channels.along(shape, 0);
            FloatBuffer p = floats(params(kind, ch.count()));
            FloatBuffer gW1 = floats(n), gp1 = floats(kind.paramsPerChannel * ch.count());
            FloatBuffer gW2 = floats(n), gp2 = floats(kind.paramsPerChannel * ch.count());
            cpu.backward(kind, floats(w), n, ch, p, floats(gWHat), floats(gC), gW1, gp1);
            cpu.backward(kind, floats(w), n, ch, p, floats(gWHat), floats(gC), 1.0, gW2, gp2);
            assertEquals(gW1, gW2, kind + ": scale 1 is the plain call");
            assertEquals(gp1, gp2, kind + ": scale 1 is the plain call");
            FloatBuffer gW3 = floats(n), gp3 = floats(gp1.limit()), gW4 = floats(n), gp4 = floats(gp1.limit());
            cpu.backward(kind, floats(w), n, ch, p, floats(gWHat), floats(gC), scale, gW3, gp3);
            cpu.backward(kind, floats(w), n, ch, p, floats(gWHat), floats(scaled), gW4, gp4);
            // The two differ by the float rounding of the pre-scaled gC, which can cancel in a sum:
            // compare against the largest value.
            double gWMax = 0, gpMax = 0;
            for (int i = 0; i < n; i++) gWMax = Math.max(gWMax, Math.abs(gW4.get(i)));
            for (int j = 0; j < gp1.limit(); j++) gpMax = Math.max(gpMax, Math.abs(gp4.get(j)));
            for (int i = 0; i < n; i++) assertEquals(gW4.get(i), gW3.get(i), 1e-6 * gWMax, kind + " gW " + i);
            for (int j = 0; j < gp1.limit(); j++) assertEquals(gp4.get(j), gp3.get(j), 1e-5 * gpMax, kind + " gParams " + j);
        }
        assertThrows(IllegalArgumentException.class, () -> cpu.backward(TransformKind.UNIFORM, floats(w), n,
                Channels.whole(n), floats(new float[] {0.01f}), floats(gWHat), floats(gC), Double.NaN, null, floats(1)));
    }

    @Test
    void badInputFailsCleanly() {
        int n = 64;
        float[] w = weights(n, 1);
        Channels whole = Channels.whole(n);
        float[] p = params(TransformKind.EDGE_SCALE, 1);
        assertThrows(IllegalArgumentException.class,
                () -> cpu.forward(TransformKind.EDGE_SCALE, floats(w), n, whole, floats(new float[1]), null, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> cpu.forward(TransformKind.EDGE_SCALE, floats(w), n + 1, whole, floats(p), null, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> cpu.forward(TransformKind.EDGE_SCALE, floats(w), n, whole, floats(p), floats(n - 1), null, null));
        assertThrows(IllegalArgumentException.class,
                () -> cpu.forward(TransformKind.EDGE_SCALE, FloatBuffer.wrap(w), n, whole, floats(p), null, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> cpu.backward(TransformKind.EDGE_SCALE, floats(w), n, whole, floats(p), null, null, null, floats(1)));
        assertThrows(IllegalArgumentException.class,
                () -> cpu.forward(TransformKind.EDGE_SCALE, floats(w), n, new Channels(0, 0, 1), floats(p), null, null, null));
        L2cException params = assertThrows(L2cException.class,
                () -> cpu.forward(TransformKind.EDGE_SCALE, floats(w), n, whole, floats(new float[] {0f, 0.1f}), null, null, null));
        assertTrue(params.getMessage().contains("parameters"), params.getMessage());
        float[] knee = {0.05f, 0.01f, 0.01f, 0.02f};  // b < e
        assertThrows(L2cException.class,
                () -> cpu.forward(TransformKind.PIECEWISE, floats(w), n, whole, floats(knee), null, null, null));
        float[] bad = w.clone();
        bad[9] = Float.NaN;
        L2cException nan = assertThrows(L2cException.class,
                () -> cpu.backward(TransformKind.EDGE_SCALE, floats(bad), n, whole, floats(p), floats(n), null, floats(n), floats(2)));
        assertTrue(nan.getMessage().contains("element 9"), nan.getMessage());
        float[] tiny = {1e-12f};
        L2cException range = assertThrows(L2cException.class,
                () -> cpu.forward(TransformKind.UNIFORM, floats(w), n, whole, floats(tiny), null, null, null));
        assertTrue(range.getMessage().contains("2^30"), range.getMessage());
    }

    /** Prints single-thread throughput of forward + backward (report figure). */
    @Test
    void throughputOfOneThread() throws L2cException {
        int n = 2_359_296;
        TransformKernels one = new CpuTransformKernels(1);
        FloatBuffer w = floats(weights(n, 2)), g = floats(weights(n, 3));
        FloatBuffer c = floats(n), wHat = floats(n), gW = floats(n);
        IntBuffer q = ints(n);
        for (TransformKind kind : TransformKind.values()) {
            FloatBuffer p = floats(params(kind, 1)), gp = floats(kind.paramsPerChannel);
            one.forward(kind, w, n, Channels.whole(n), p, c, q, wHat);
            long t0 = System.nanoTime();
            int reps = 3;
            for (int r = 0; r < reps; r++) {
                one.forward(kind, w, n, Channels.whole(n), p, c, q, wHat);
                one.backward(kind, w, n, Channels.whole(n), p, g, null, gW, gp);
            }
            double s = (System.nanoTime() - t0) / 1e9 / reps;
            assertTrue(Float.isFinite(gp.get(0)));
            System.out.printf("transform %s fwd+bwd, 1 thread: %.1f M elements/s%n", kind, n / s / 1e6);
        }
    }
}
