package dev.l2c.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.l2c.L2cException;
import dev.l2c.nativelib.CpuKernels;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The transform kernels' baseline, AVX2 and AVX-512 loops (those this CPU runs) give the same
 * codes, symbols, reconstructions and gradients bit for bit, per tensor and per channel. The SIMD
 * limit is process-wide; the test restores it.
 */
class TransformSimdPathTest {
    @Test
    void everyLevelGivesTheSameBits() throws L2cException {
        int best = CpuKernels.l2c_cpu_set_simd_limit(Integer.MAX_VALUE);
        int n = 3 * 7 * 4099;  // runs that do not align with chunks or lanes
        long[] shape = {3, 7, 4099};
        float[] w = TransformKernelsTest.weights(n, 41), gWHat = TransformKernelsTest.weights(n, 42);
        float[] gC = TransformKernelsTest.weights(n, 43);
        TransformKernels cpu = new CpuTransformKernels(2);
        for (TransformKind kind : TransformKind.values()) {
            for (Channels ch : new Channels[] {Channels.whole(n), Channels.along(shape, 1), Channels.along(shape, 2)}) {
                FloatBuffer p = TransformKernelsTest.floats(TransformKernelsTest.params(kind, ch.count()));
                List<Object> reference = null;
                for (int level = 0; level <= best; level++) {
                    List<Object> out = new ArrayList<>();
                    try {
                        assertEquals(level, CpuKernels.l2c_cpu_set_simd_limit(level));
                        FloatBuffer c = TransformKernelsTest.floats(n), wHat = TransformKernelsTest.floats(n);
                        IntBuffer q = TransformKernelsTest.ints(n);
                        cpu.forward(kind, TransformKernelsTest.floats(w), n, ch, p, c, q, wHat);
                        FloatBuffer gW = TransformKernelsTest.floats(n);
                        FloatBuffer gp = TransformKernelsTest.floats(kind.paramsPerChannel * ch.count());
                        cpu.backward(kind, TransformKernelsTest.floats(w), n, ch, p, TransformKernelsTest.floats(gWHat),
                                TransformKernelsTest.floats(gC), 0.3, gW, gp);
                        out.add(c);
                        out.add(q);
                        out.add(wHat);
                        out.add(gW);
                        out.add(gp);
                    } finally {
                        CpuKernels.l2c_cpu_set_simd_limit(Integer.MAX_VALUE);
                    }
                    if (reference == null) reference = out;
                    else assertEquals(reference, out, kind + " " + ch + " level " + level);
                }
            }
        }
    }
}
