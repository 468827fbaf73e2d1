// CUDA kernels of the transforms; math in l2c/transform_core.h, launched from l2c_cuda.h.
// All pointers are device memory: w, c, what, g_what, g_c, g_w n floats; q n int32; params
// P * count floats (parameter-major); scratch P * n doubles; partial blocks * count * P doubles.
#pragma once
#include <stdint.h>

#include "l2c/transform_core.h"

namespace l2c {
namespace transform {
namespace cuda {

constexpr int kThreads = 256;

// Lowest index of a bad element (NaN/inf weight or |c| >= 2^30); *bad_pos starts at n.
__device__ __forceinline__ bool element_ok(double w, double c, int64_t i, unsigned long long* bad_pos) {
    if (fabs(w) < INFINITY && fabs(c) < kMaxCode) return true;
    atomicMin(bad_pos, (unsigned long long)i);
    return false;
}

__global__ void forward_kernel(int32_t kind, const float* w, int64_t n, int32_t count, int64_t inner,
                               const float* params, float* c, int32_t* q, float* what,
                               unsigned long long* bad_pos) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
         i += (int64_t)gridDim.x * blockDim.x) {
        const Params p = load_params(kind, params, count, (i / inner) % count);
        const double wi = w[i];
        const double ci = encode(kind, p, wi);
        if (!element_ok(wi, ci, i, bad_pos)) continue;
        const float cf = (float)ci;
        const double qi = symbol(kind, p, wi, cf);
        if (c != nullptr) c[i] = cf;
        if (q != nullptr) q[i] = (int32_t)qi;
        if (what != nullptr) what[i] = (float)decode(kind, p, qi);
    }
}

// Per element: g_w and the parameter contributions scratch[k * n + i] (when scratch is non-null).
__global__ void backward_kernel(int32_t kind, const float* w, int64_t n, int32_t count, int64_t inner,
                                const float* params, const float* g_what, const float* g_c, double g_c_scale,
                                float* g_w, double* scratch, unsigned long long* bad_pos) {
    const int32_t np = params_per_channel(kind);
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
         i += (int64_t)gridDim.x * blockDim.x) {
        const Params p = load_params(kind, params, count, (i / inner) % count);
        const double wi = w[i];
        const double ci = encode(kind, p, wi);
        if (!element_ok(wi, ci, i, bad_pos)) continue;
        const double qi = symbol(kind, p, wi, (float)ci);
        double gw, gp[kMaxParams];
        backward_element(kind, p, wi, qi, g_what != nullptr ? g_what[i] : 0.0,
                         g_c != nullptr ? g_c_scale * g_c[i] : 0.0, &gw, gp);
        if (g_w != nullptr) g_w[i] = (float)gw;
        if (scratch != nullptr)
            for (int32_t k = 0; k < np; k++) scratch[k * n + i] = gp[k];
    }
}

// One thread per (block, channel) slot: sums the slot's contributions segment by segment in the
// lanes of transform_core.h's reduction layout, the order the CPU kernel uses, so both give the
// same partial sums.
__global__ void slot_sum_kernel(const double* scratch, int64_t n, int32_t count, int64_t inner,
                                int32_t np, int64_t block, int64_t blocks, double* partial) {
    const int64_t t = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
    if (t >= blocks * count) return;
    const int64_t blk = t / count, ch = t % count;
    const int64_t a = blk * block, b = (blk + 1) * block < n ? (blk + 1) * block : n;
    double sum[kMaxParams] = {0, 0, 0, 0};
    const int64_t r0 = a / inner;
    for (int64_t r = r0 + ((ch - r0 % count) % count + count) % count; r * inner < b; r += count) {
        const int64_t lo = r * inner > a ? r * inner : a;
        const int64_t hi = (r + 1) * inner < b ? (r + 1) * inner : b;
        for (int32_t k = 0; k < np; k++) {
            double lanes[kSumLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
            for (int64_t i = lo; i < hi; i++) lanes[(i - lo) % kSumLanes] += scratch[k * n + i];
            sum[k] += reduce_lanes(lanes);
        }
    }
    for (int32_t k = 0; k < np; k++) partial[t * np + k] = sum[k];
}

}  // namespace cuda
}  // namespace transform
}  // namespace l2c
