package dev.l2c.counter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.l2c.L2cException;
import dev.l2c.nativelib.CpuKernels;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/**
 * The counter's baseline, AVX2 and AVX-512 loops (those this CPU runs) give the same rate, p(k)
 * and gradient bit for bit. The SIMD limit is process-wide; the test restores it.
 */
class CounterSimdPathTest {
    @Test
    void everyLevelGivesTheSameBits() throws L2cException {
        int best = CpuKernels.l2c_cpu_set_simd_limit(Integer.MAX_VALUE);
        float[] c = CounterKernelsTest.laplace(70_001, 5, 31);
        for (int i = 0; i < c.length; i += 7) c[i] = (float) (Math.floor(c[i]) + 0.5);
        CounterKernels cpu = new CpuCounterKernels(2);
        for (CounterKernel k : CounterKernel.values()) {
            for (int resolution : new int[] {5, 64}) {
                CounterKernels.Rate reference = null;
                FloatBuffer referenceGrad = null;
                for (int level = 0; level <= best; level++) {
                    try {
                        assertEquals(level, CpuKernels.l2c_cpu_set_simd_limit(level));
                        FloatBuffer g = CounterKernelsTest.direct(new float[c.length]);
                        CounterKernels.Rate rate = cpu.forwardBackward(CounterKernelsTest.direct(c), c.length, k,
                                resolution, 1f, g);
                        if (reference == null) {
                            reference = rate;
                            referenceGrad = g;
                            continue;
                        }
                        String at = k + " res " + resolution + " level " + level;
                        assertEquals(reference.bits(), rate.bits(), at);
                        assertArrayEquals(reference.probs(), rate.probs(), at);
                        assertEquals(referenceGrad, g, at + " gradient");
                    } finally {
                        CpuKernels.l2c_cpu_set_simd_limit(Integer.MAX_VALUE);
                    }
                }
            }
        }
    }
}
