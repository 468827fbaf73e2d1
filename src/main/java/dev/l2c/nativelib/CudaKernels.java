package dev.l2c.nativelib;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI binding of the CUDA kernels (src/main/cuda). Built only where nvcc exists; the class then
 * fails to load elsewhere, which dev.l2c.backend reports as "cuda backend not built".
 */
@Platform(include = {"l2c_cuda.h"}, link = "cudart")
public final class CudaKernels {
    static {
        Loader.load();
    }

    private CudaKernels() {}

    public static native int l2c_cuda_device_count();
}
