// Entry points bound by dev.l2c.nativelib.CudaKernels (compiled by nvcc through JavaCPP).
#pragma once
#include <cuda_runtime.h>

// Number of usable CUDA devices; 0 where there is no driver or no device (the CPU fallback signal).
inline int l2c_cuda_device_count() {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) return 0;
    return n;
}
