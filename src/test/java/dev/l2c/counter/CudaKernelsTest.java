package dev.l2c.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.l2c.L2cException;
import dev.l2c.backend.Backends;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The CUDA counter through Java equals the CPU counter within 1e-5; skipped where no GPU is usable. */
class CudaKernelsTest {
    @BeforeAll
    static void needsGpu() {
        assumeTrue(Backends.cudaUnavailableReason() == null, "CUDA unavailable: " + Backends.cudaUnavailableReason());
    }

    @Test
    void cudaCounterMatchesCpu() throws L2cException {
        CounterKernels cpu = new CpuCounterKernels(2), gpu = new CudaCounterKernels();
        int n = 200_003;
        float[] c = CounterKernelsTest.laplace(n, 3, 4);
        for (CounterKernel k : CounterKernel.values()) {
            CounterKernels.Rate a = cpu.forward(CounterKernelsTest.direct(c), n, k, 64);
            CounterKernels.Rate b = gpu.forward(CounterKernelsTest.direct(c), n, k, 64);
            assertEquals(a.minSymbol(), b.minSymbol());
            assertEquals(a.bits(), b.bits(), 1e-5 * a.bits());
            FloatBuffer ga = CounterKernelsTest.direct(new float[n]), gb = CounterKernelsTest.direct(new float[n]);
            cpu.backward(CounterKernelsTest.direct(c), n, k, 64, 1f, ga);
            gpu.backward(CounterKernelsTest.direct(c), n, k, 64, 1f, gb);
            for (int i = 0; i < n; i++)
                assertTrue(Math.abs(ga.get(i) - gb.get(i)) <= 1e-5 * Math.abs(ga.get(i)) + 1e-9, k + " element " + i);
            FloatBuffer gc = CounterKernelsTest.direct(new float[n]);
            CounterKernels.Rate fused = gpu.forwardBackward(CounterKernelsTest.direct(c), n, k, 64, 1f, gc);
            assertEquals(a.bits(), fused.bits(), 1e-5 * a.bits());
            for (int i = 0; i < n; i++)
                assertTrue(Math.abs(ga.get(i) - gc.get(i)) <= 1e-5 * Math.abs(ga.get(i)) + 1e-9, k + " fused, element " + i);
        }
    }
}
