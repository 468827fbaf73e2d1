package dev.l2c.counter;

import dev.l2c.nativelib.CudaKernels;
import java.nio.FloatBuffer;

/**
 * The differentiable counter on CUDA device 0 (host buffers copied in and out per call); equal to
 * the CPU's histograms bit for bit (integer atomics). Create only where dev.l2c.backend.Backends
 * found a usable device.
 */
public final class CudaCounterKernels extends NativeCounterKernels {
    public CudaCounterKernels() {
        super("cuda");
    }

    @Override
    int forward(FloatBuffer c, long n, int kernel, int resolution, double[] bits, long[] minSymbol, double[] probs,
            long capacity, long[] bins, long[] errPos) {
        return CudaKernels.l2c_counter_cuda_forward(c, n, kernel, resolution, bits, minSymbol, probs, capacity, bins,
                errPos);
    }

    @Override
    int backward(FloatBuffer c, long n, int kernel, int resolution, float scale, FloatBuffer grad, long[] errPos) {
        return CudaKernels.l2c_counter_cuda_backward(c, n, kernel, resolution, scale, grad, errPos);
    }

    @Override
    int forwardBackward(FloatBuffer c, long n, int kernel, int resolution, double[] bits, long[] minSymbol,
            double[] probs, long capacity, long[] bins, float scale, FloatBuffer grad, long[] errPos) {
        return CudaKernels.l2c_counter_cuda_forward_backward(c, n, kernel, resolution, bits, minSymbol, probs,
                capacity, bins, scale, grad, errPos);
    }
}
