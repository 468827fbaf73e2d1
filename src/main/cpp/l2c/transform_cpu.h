// CPU transform kernels over OpenMP threads, the math of l2c/transform_core.h. Every entry point
// validates its inputs and returns kOk or a negative Status; none throws.
//
// Buffers are caller-owned host memory: w, c, wHat, gWHat, gC, gW hold n floats, q n int32,
// params and gParams P * count floats (parameter-major). Optional outputs/inputs may be null.
// err_pos (1 int64) receives the index of the first bad element on kErrNonFinite / kErrRange.
// `threads <= 0` means all available. Results never depend on the thread count.
#pragma once
#include <omp.h>
#include <stdint.h>

#include <new>
#include <vector>

#include "l2c/transform_core.h"

namespace l2c {
namespace transform {
namespace cpu {

inline int resolve_threads(int32_t threads) { return threads > 0 ? threads : omp_get_max_threads(); }

inline int32_t check_layout(int32_t kind, int64_t n, int32_t count, int64_t inner, const float* w,
                            const float* params, int64_t* err_pos) {
    if (params_per_channel(kind) == 0 || n < 0 || count < 1 || inner < 1 || params == nullptr ||
        err_pos == nullptr || (n > 0 && w == nullptr))
        return kErrArgument;
    *err_pos = -1;
    for (int32_t ch = 0; ch < count; ch++)
        if (!params_valid(kind, load_params(kind, params, count, ch))) return kErrParams;
    return kOk;
}

// Checks one element's weight and code; kOk or the status to report at this index.
inline int32_t check_element(double w, double c) {
    if (!(fabs(w) < INFINITY)) return kErrNonFinite;
    if (!(fabs(c) < kMaxCode)) return kErrRange;
    return kOk;
}

// Keeps the smallest bad index seen by any thread, so the report does not depend on timing.
struct FirstError {
    int64_t pos = -1;
    int32_t status = kOk;
    void offer(int64_t i, int32_t st) {
#pragma omp critical(l2c_transform_first_error)
        if (pos < 0 || i < pos) {
            pos = i;
            status = st;
        }
    }
};

// The loops are instantiated per kind (a compile-time constant), so the per-element branches on
// the kind fold away; `forward` and `backward` below dispatch once per call.
template <int32_t kind>
inline int32_t forward_kind(const float* w, int64_t n, int32_t count, int64_t inner,
                            const float* params, float* c, int32_t* q, float* what, int32_t threads,
                            int64_t* err_pos) {
    const int64_t block = 32768;
    const int64_t blocks = (n + block - 1) / block;
    FirstError first;
#pragma omp parallel for schedule(static) num_threads(resolve_threads(threads))
    for (int64_t blk = 0; blk < blocks; blk++) {
        const int64_t end = (blk + 1) * block < n ? (blk + 1) * block : n;
        for (int64_t i = blk * block; i < end;) {
            // One run of `inner` elements shares a channel: load its parameters once.
            const int64_t run = i / inner;
            const int64_t run_end = (run + 1) * inner < end ? (run + 1) * inner : end;
            const Params p = load_params(kind, params, count, run % count);
            for (; i < run_end; i++) {
                const double wi = w[i];
                const double ci = encode(kind, p, wi);
                const int32_t bad = check_element(wi, ci);
                if (bad != kOk) {
                    first.offer(i, bad);
                    continue;
                }
                const float cf = (float)ci;
                const double qi = symbol(kind, p, wi, cf);
                if (c != nullptr) c[i] = cf;
                if (q != nullptr) q[i] = (int32_t)qi;
                if (what != nullptr) what[i] = (float)decode(kind, p, qi);
            }
        }
    }
    *err_pos = first.pos;
    return first.status;
}

template <int32_t kind>
inline int32_t backward_kind(const float* w, int64_t n, int32_t count, int64_t inner,
                             const float* params, const float* g_what, const float* g_c, float* g_w,
                             float* g_params, int32_t threads, int64_t* err_pos) {
    const int32_t np = params_per_channel(kind);
    const int64_t block = reduction_block(n, count, np);
    const int64_t blocks = (n + block - 1) / block;
    FirstError first;
    try {
        // partial[(blk * count + ch) * np + k]: block blk's sum for parameter k of channel ch.
        std::vector<double> partial(g_params != nullptr ? (size_t)(blocks * count * np) : 0, 0.0);
#pragma omp parallel for schedule(dynamic, 1) num_threads(resolve_threads(threads))
        for (int64_t blk = 0; blk < blocks; blk++) {
            double* acc = g_params != nullptr ? &partial[(size_t)(blk * count * np)] : nullptr;
            const int64_t end = (blk + 1) * block < n ? (blk + 1) * block : n;
            for (int64_t i = blk * block; i < end;) {
              const int64_t run = i / inner;
              const int64_t run_end = (run + 1) * inner < end ? (run + 1) * inner : end;
              const int64_t ch = run % count;
              const Params p = load_params(kind, params, count, ch);
              for (; i < run_end; i++) {
                const double wi = w[i];
                const double ci = encode(kind, p, wi);
                const int32_t bad = check_element(wi, ci);
                if (bad != kOk) {
                    first.offer(i, bad);
                    continue;
                }
                const double qi = symbol(kind, p, wi, (float)ci);
                double gw, gp[kMaxParams] = {0, 0, 0, 0};
                backward_element(kind, p, wi, qi, g_what != nullptr ? g_what[i] : 0.0,
                                 g_c != nullptr ? g_c[i] : 0.0, &gw, gp);
                if (g_w != nullptr) g_w[i] = (float)gw;
                if (acc != nullptr)
                    for (int32_t k = 0; k < np; k++) acc[ch * np + k] += gp[k];
              }
            }
        }
        *err_pos = first.pos;
        if (first.status != kOk) return first.status;
        if (g_params != nullptr) {
            for (int32_t ch = 0; ch < count; ch++) {
                for (int32_t k = 0; k < np; k++) {
                    double sum = 0;
                    for (int64_t blk = 0; blk < blocks; blk++)
                        sum += partial[(size_t)((blk * count + ch) * np + k)];
                    float* out = &g_params[(int64_t)k * count + ch];
                    *out = (float)((double)*out + sum);
                }
            }
        }
    } catch (const std::bad_alloc&) {
        return kErrAlloc;
    }
    return kOk;
}

inline int32_t forward(int32_t kind, const float* w, int64_t n, int32_t count, int64_t inner,
                       const float* params, float* c, int32_t* q, float* what, int32_t threads,
                       int64_t* err_pos) {
    int32_t st = check_layout(kind, n, count, inner, w, params, err_pos);
    if (st != kOk) return st;
    switch (kind) {
        case kUniform: return forward_kind<kUniform>(w, n, count, inner, params, c, q, what, threads, err_pos);
        case kEdgeScale: return forward_kind<kEdgeScale>(w, n, count, inner, params, c, q, what, threads, err_pos);
        default: return forward_kind<kPiecewise>(w, n, count, inner, params, c, q, what, threads, err_pos);
    }
}

inline int32_t backward(int32_t kind, const float* w, int64_t n, int32_t count, int64_t inner,
                        const float* params, const float* g_what, const float* g_c, float* g_w,
                        float* g_params, int32_t threads, int64_t* err_pos) {
    int32_t st = check_layout(kind, n, count, inner, w, params, err_pos);
    if (st != kOk) return st;
    switch (kind) {
        case kUniform:
            return backward_kind<kUniform>(w, n, count, inner, params, g_what, g_c, g_w, g_params, threads, err_pos);
        case kEdgeScale:
            return backward_kind<kEdgeScale>(w, n, count, inner, params, g_what, g_c, g_w, g_params, threads, err_pos);
        default:
            return backward_kind<kPiecewise>(w, n, count, inner, params, g_what, g_c, g_w, g_params, threads, err_pos);
    }
}

}  // namespace cpu
}  // namespace transform
}  // namespace l2c
