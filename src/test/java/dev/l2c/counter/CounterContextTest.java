package dev.l2c.counter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Native counter contexts give the positional calls' rates, probabilities and gradients across
 * calls whose code range grows and shrinks (the scratch is reused), and refuse wrong sizes and use
 * after close with exceptions.
 */
class CounterContextTest {
    private static final CpuCounterKernels CPU = new CpuCounterKernels(2);

    private static FloatBuffer floats(int n) {
        return ByteBuffer.allocateDirect(4 * Math.max(1, n)).order(ByteOrder.nativeOrder()).asFloatBuffer().limit(n);
    }

    private static float[] array(FloatBuffer b) {
        float[] out = new float[b.limit()];
        b.get(0, out);
        return out;
    }

    @Test
    void contextRunsMatchThePositionalCalls() throws L2cException {
        int n = 50_000;
        Random rnd = new Random(11);
        for (CounterKernel kernel : CounterKernel.values()) {
            try (CounterContext ctx = CPU.context(n, kernel, 64)) {
                for (double spread : new double[] {3, 9000, 40, 0.2}) { // past the first probs capacity and back
                    FloatBuffer c = floats(n);
                    for (int i = 0; i < n; i++) c.put(i, (float) (rnd.nextGaussian() * spread));
                    CounterKernels.Rate want = CPU.forward(c, n, kernel, 64);
                    CounterKernels.Rate got = ctx.run(c, 1f, null);
                    assertEquals(want.bits(), got.bits());
                    assertEquals(want.minSymbol(), got.minSymbol());
                    assertArrayEquals(want.probs(), got.probs());
                    FloatBuffer g1 = floats(n), g2 = floats(n);
                    CounterKernels.Rate r1 = CPU.forwardBackward(c, n, kernel, 64, 0.5f, g1);
                    CounterKernels.Rate r2 = ctx.run(c, 0.5f, g2);
                    assertEquals(r1.bits(), r2.bits());
                    assertArrayEquals(r1.probs(), r2.probs());
                    assertArrayEquals(array(g1), array(g2));
                }
            }
        }
    }

    @Test
    void refusesWrongSizesBadCodesAndUseAfterClose() throws L2cException {
        int n = 100;
        CounterContext ctx = CPU.context(n, CounterKernel.COS, 64);
        assertThrows(IllegalArgumentException.class, () -> ctx.run(floats(n - 1), 1f, null));
        assertThrows(IllegalArgumentException.class, () -> ctx.run(floats(n), 1f, floats(n - 1)));
        FloatBuffer bad = floats(n).put(5, Float.NaN);
        L2cException e = assertThrows(L2cException.class, () -> ctx.run(bad, 1f, null));
        assertEquals(true, e.getMessage().contains("code 5"), e.getMessage());
        ctx.run(floats(n), 1f, null);
        ctx.close();
        ctx.close();
        assertThrows(IllegalStateException.class, () -> ctx.run(floats(n), 1f, null));
        assertThrows(IllegalArgumentException.class, () -> CPU.context(0, CounterKernel.COS, 64));
        assertThrows(IllegalArgumentException.class, () -> CPU.context(10, CounterKernel.COS, 0));
    }
}
