// CUDA kernels of the differentiable counter; math in l2c/counter_core.h, launched from
// l2c_cuda.h. The histograms are int64 (fixed point) summed with 64-bit integer atomics, so the
// result is the same bits as the CPU's whatever the order the atomics land in.
// Device memory: c, grad n floats; hist = count[bins] | sub[3 * subcells] (hist_slots);
// table table_slots doubles (the gradient table); per-block range outputs.
#pragma once
#include <stdint.h>

#include "l2c/counter_core.h"

namespace l2c {
namespace counter {
namespace cuda {

constexpr int kThreads = 256;
constexpr int kRangeBlocks = 1024;
// Histograms up to this many int64 slots go to shared memory first (48 KiB).
constexpr int64_t kSharedSlots = 6144;

// Per block: min, max of the finite codes and the lowest non-finite index (n when none).
__global__ void range_kernel(const float* c, int64_t n, float* lo_out, float* hi_out, int64_t* bad_out) {
    __shared__ float s_lo[kThreads], s_hi[kThreads];
    __shared__ int64_t s_bad[kThreads];
    float lo = INFINITY, hi = -INFINITY;
    int64_t bad = n;
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
         i += (int64_t)gridDim.x * blockDim.x) {
        const float v = c[i];
        if (!(fabsf(v) < INFINITY)) {
            bad = i < bad ? i : bad;
            continue;
        }
        lo = fminf(lo, v);
        hi = fmaxf(hi, v);
    }
    s_lo[threadIdx.x] = lo;
    s_hi[threadIdx.x] = hi;
    s_bad[threadIdx.x] = bad;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if ((int)threadIdx.x < s) {
            s_lo[threadIdx.x] = fminf(s_lo[threadIdx.x], s_lo[threadIdx.x + s]);
            s_hi[threadIdx.x] = fmaxf(s_hi[threadIdx.x], s_hi[threadIdx.x + s]);
            const int64_t o = s_bad[threadIdx.x + s];
            if (o < s_bad[threadIdx.x]) s_bad[threadIdx.x] = o;
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        lo_out[blockIdx.x] = s_lo[0];
        hi_out[blockIdx.x] = s_hi[0];
        bad_out[blockIdx.x] = s_bad[0];
    }
}

struct AtomicAdd {
    __device__ __forceinline__ void operator()(int64_t* slot, int64_t v) const {
        atomicAdd((unsigned long long*)slot, (unsigned long long)v);
    }
};

template <int32_t K, bool kShared>
__global__ void scatter_kernel(Geometry g, const float* c, int64_t n, int64_t* hist) {
    extern __shared__ int64_t s_hist[];
    const int64_t slots = hist_slots(g.bins);
    int64_t* h = hist;
    if (kShared) {
        for (int64_t s = threadIdx.x; s < slots; s += blockDim.x) s_hist[s] = 0;
        __syncthreads();
        h = s_hist;
    }
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
         i += (int64_t)gridDim.x * blockDim.x)
        scatter_element<K>(g, c[i], h, h + g.bins, AtomicAdd());
    if (kShared) {
        __syncthreads();
        for (int64_t s = threadIdx.x; s < slots; s += blockDim.x)
            if (s_hist[s] != 0) AtomicAdd()(&hist[s], s_hist[s]);
    }
}

template <int32_t K>
__global__ void gather_kernel(Geometry g, const float* c, int64_t n, const double* table, float scale,
                              float* grad) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
         i += (int64_t)gridDim.x * blockDim.x)
        grad[i] = (float)(scale * gather_element<K>(g, c[i], table));
}

}  // namespace cuda
}  // namespace counter
}  // namespace l2c
