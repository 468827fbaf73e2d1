package dev.l2c.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.l2c.L2cException;
import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Native transform contexts give the positional calls' bits (forward, and backward whose parameter
 * gradient is written, not added), keep working across calls with new parameters, and refuse wrong
 * sizes, missing parameters and use after close with exceptions.
 */
class TransformContextTest {
    private static final CpuTransformKernels CPU = new CpuTransformKernels(2);

    private static FloatBuffer floats(int n) {
        return TransformKernelsTest.floats(n);
    }

    private static float[] array(FloatBuffer b) {
        float[] out = new float[b.limit()];
        b.get(0, out);
        return out;
    }

    @Test
    void contextCallsMatchThePositionalOnes() throws L2cException {
        Random rnd = new Random(3);
        long[] shape = {96, 1000};
        int n = 96_000;
        Channels ch = Channels.along(shape, 0);
        for (TransformKind kind : TransformKind.values()) {
            FloatBuffer w = floats(n);
            FloatBuffer g = floats(n);
            FloatBuffer gc = floats(n);
            for (int i = 0; i < n; i++) {
                w.put(i, (float) rnd.nextGaussian() * 0.05f);
                g.put(i, (float) rnd.nextGaussian());
                gc.put(i, (float) rnd.nextGaussian());
            }
            int np = kind.paramsPerChannel * ch.count();
            try (TransformContext ctx = CPU.context(kind, n, ch)) {
                for (int round = 0; round < 3; round++) {
                    FloatBuffer params = floats(np);
                    for (int c = 0; c < ch.count(); c++) {
                        for (int p = 0; p < kind.paramsPerChannel; p++) {
                            params.put(p * ch.count() + c, 0.004f * (1 + round) * (1 + p * 0.5f) * (1 + c % 3));
                        }
                    }
                    FloatBuffer c1 = floats(n), h1 = floats(n), c2 = floats(n), h2 = floats(n);
                    CPU.forward(kind, w, n, ch, params, c1, null, h1);
                    ctx.setParams(params);
                    ctx.forward(w, c2, null, h2);
                    assertArrayEquals(array(c1), array(c2));
                    assertArrayEquals(array(h1), array(h2));
                    FloatBuffer gp1 = floats(np), gp2 = floats(np), gw1 = floats(n), gw2 = floats(n);
                    for (int i = 0; i < np; i++) gp2.put(i, 7f); // written over, not added to
                    CPU.backward(kind, w, n, ch, params, g, gc, 0.25, gw1, gp1);
                    ctx.backward(w, g, gc, 0.25, gw2, gp2);
                    assertArrayEquals(array(gp1), array(gp2));
                    assertArrayEquals(array(gw1), array(gw2));
                }
            }
        }
    }

    @Test
    void refusesWrongSizesMissingParamsAndUseAfterClose() throws L2cException {
        int n = 1000;
        Channels ch = Channels.whole(n);
        TransformContext ctx = CPU.context(TransformKind.EDGE_SCALE, n, ch);
        FloatBuffer w = floats(n);
        assertThrows(L2cException.class, () -> ctx.forward(w, null, null, floats(n)), "parameters not set");
        assertThrows(IllegalArgumentException.class, () -> ctx.setParams(floats(3)));
        FloatBuffer params = floats(2).put(0, 0.01f).put(1, 0.02f);
        ctx.setParams(params);
        ctx.forward(w, null, null, floats(n));
        assertThrows(IllegalArgumentException.class, () -> ctx.forward(floats(n - 1), null, null, floats(n)));
        assertThrows(IllegalArgumentException.class, () -> ctx.forward(w, null, null, floats(n - 1)));
        assertThrows(IllegalArgumentException.class, () -> ctx.backward(w, floats(n), null, 1, null, floats(1)));
        assertThrows(IllegalArgumentException.class, () -> ctx.backward(w, floats(n), null, Double.NaN, null, null));
        FloatBuffer bad = floats(2).put(0, -1f).put(1, 0.02f);
        ctx.setParams(bad);
        assertThrows(L2cException.class, () -> ctx.forward(w, null, null, floats(n)));
        ctx.close();
        ctx.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> ctx.forward(w, null, null, floats(n)));
        assertThrows(IllegalStateException.class, () -> ctx.setParams(params));
        assertThrows(IllegalStateException.class, () -> ctx.backward(w, null, null, 1, floats(n), null));
        assertThrows(IllegalArgumentException.class, () -> CPU.context(TransformKind.UNIFORM, -1, ch));
    }
}
