package dev.l2c.transform;

import dev.l2c.nativelib.CudaKernels;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * The transform kernels on CUDA device 0 (host buffers copied in and out per call). Create only
 * where dev.l2c.backend.Backends found a usable device: elsewhere the kernels' class fails to load.
 */
public final class CudaTransformKernels extends NativeTransformKernels {
    public CudaTransformKernels() {
        super("cuda");
    }

    @Override
    int forward(int kind, FloatBuffer w, long n, int count, long inner, FloatBuffer params, FloatBuffer c,
            IntBuffer q, FloatBuffer wHat, long[] errPos) {
        return CudaKernels.l2c_transform_cuda_forward(kind, w, n, count, inner, params, c, q, wHat, errPos);
    }

    @Override
    int backward(int kind, FloatBuffer w, long n, int count, long inner, FloatBuffer params, FloatBuffer gWHat,
            FloatBuffer gC, double gCScale, FloatBuffer gW, FloatBuffer gParams, long[] errPos) {
        return CudaKernels.l2c_transform_cuda_backward(kind, w, n, count, inner, params, gWHat, gC, gCScale, gW,
                gParams,
                errPos);
    }
}
