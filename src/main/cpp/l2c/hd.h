// L2C_HD marks the math shared by the CPU and CUDA kernels: __host__ __device__ under nvcc, plain
// inline under a host compiler, so one definition serves both and CPU tests cover it.
#pragma once

#if !defined(L2C_HD)
#if defined(__CUDACC__)
#define L2C_HD __host__ __device__ __forceinline__
#else
#define L2C_HD inline
#endif
#endif
