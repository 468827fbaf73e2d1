// CPU transform kernels over OpenMP threads, the math of l2c/transform_core.h. Every entry point
// validates its inputs and returns kOk or a negative Status; none throws.
//
// Buffers are caller-owned host memory: w, c, wHat, gWHat, gC, gW hold n floats, q n int32,
// params and gParams P * count floats (parameter-major). Optional outputs/inputs may be null.
// err_pos (1 int64) receives the index of the first bad element on kErrNonFinite / kErrCodeRange.
// `threads <= 0` means all available. Results never depend on the thread count, nor on the SIMD
// level. On an error status the outputs are unspecified.
//
// Speed: the loops are instantiated per kind (so the element math's selects fold) and per SIMD
// level (l2c/simd.h), and vectorize: elements go in chunks of kChunk inside one channel run,
// absent optional buffers are replaced by chunk scratch instead of a test per element, bad
// elements only raise a flag (a flagged block is rescanned for the first one), and parameter
// gradients are summed in kSumLanes lanes per segment (the reduction layout of
// l2c/transform_core.h).
#pragma once
#include <omp.h>
#include <stdint.h>
#include <string.h>

#include <new>
#include <vector>

#include "l2c/simd.h"
#include "l2c/threads.h"
#include "l2c/transform_core.h"

#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#pragma GCC push_options
#pragma GCC optimize("no-trapping-math")  // as in transform_core.h
#endif

namespace l2c {
namespace transform {
namespace cpu {

// Threads for `blocks` work items: `threads` (<= 0: all), at most one per block.
inline int resolve_threads(int32_t threads, int64_t blocks) {
    const int64_t want = requested_threads(threads);
    return (int)(want < blocks ? want : blocks > 0 ? blocks : 1);
}

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
    if (!(fabs(c) < kMaxCode)) return kErrCodeRange;
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

constexpr int64_t kChunk = 512;
// Elements per forward work item (any fixed size: the forward has no reductions).
constexpr int64_t kForwardBlock = 32768;

template <int32_t K>
constexpr int32_t params_of() {
    return K == kUniform ? 1 : K == kEdgeScale ? 2 : 4;
}

// Whether the element is bad (check_element != kOk), as a select-friendly int.
L2C_HD int32_t element_bad(double w, double c) { return (int32_t)!((fabs(w) < INFINITY) & (fabs(c) < kMaxCode)); }

// The first bad element of w[begin, end) and its status (rescan of a flagged block).
template <int32_t K>
void first_bad(const float* w, int64_t begin, int64_t end, int32_t count, int64_t inner, const float* params,
               FirstError* first) {
    for (int64_t i = begin; i < end; i++) {
        const Params p = load_params(K, params, count, (i / inner) % count);
        const double wi = w[i];
        const int32_t st = check_element(wi, encode_k<K>(p, wi));
        if (st != kOk) {
            first->offer(i, st);
            return;
        }
    }
}

// Forward over w[begin, end): returns whether a bad element was met. c, q, what may be null.
template <int32_t K>
L2C_ALWAYS_INLINE bool forward_body(const float* w, int64_t begin, int64_t end, int32_t count, int64_t inner,
                                    const float* params, float* c, int32_t* q, float* what) {
    float c_scratch[kChunk], what_scratch[kChunk];
    int32_t q_scratch[kChunk];
    int32_t bad = 0;
    for (int64_t i = begin; i < end;) {
        // One run of `inner` elements shares a channel: load its parameters once.
        const int64_t run = i / inner;
        const int64_t run_end = (run + 1) * inner < end ? (run + 1) * inner : end;
        const Params p = load_params(K, params, count, run % count);
        for (int64_t j = i; j < run_end; j += kChunk) {
            const int64_t len = run_end - j < kChunk ? run_end - j : kChunk;
            const float* wj = w + j;
            float* co = c != nullptr ? c + j : c_scratch;
            int32_t* qo = q != nullptr ? q + j : q_scratch;
            float* ho = what != nullptr ? what + j : what_scratch;
            for (int64_t k = 0; k < len; k++) {
                const double wk = wj[k];
                const double ck = encode_k<K>(p, wk);
                bad |= element_bad(wk, ck);
                const float cf = (float)ck;
                const double qk = symbol_k<K>(p, wk, cf);
                co[k] = cf;
                qo[k] = (int32_t)qk;
                ho[k] = (float)decode_k<K>(p, qk);
            }
        }
        i = run_end;
    }
    return bad != 0;
}

// Backward over w[begin, end), one reduction block: writes g_w (may be null) and, with acc
// non-null, adds the block's per-channel parameter sums into acc[ch * P + k]. g_what and g_c may
// be null (zero); the rate gradient enters as g_c_scale * g_c[i]. Returns whether a bad element
// was met.
template <int32_t K>
L2C_ALWAYS_INLINE bool backward_body(const float* w, int64_t begin, int64_t end, int32_t count, int64_t inner,
                                     const float* params, const float* g_what, const float* g_c, double g_c_scale,
                                     float* g_w, double* acc) {
    constexpr int32_t np = params_of<K>();
    float zeros[kChunk], g_w_scratch[kChunk];
    memset(zeros, 0, sizeof zeros);
    double contrib[np][kChunk];
    int32_t bad = 0;
    for (int64_t i = begin; i < end;) {
        const int64_t run = i / inner;
        const int64_t run_end = (run + 1) * inner < end ? (run + 1) * inner : end;
        const int64_t ch = run % count;
        const Params p = load_params(K, params, count, ch);
        double lanes[np][kSumLanes];
        for (int32_t t = 0; t < np; t++)
            for (int32_t l = 0; l < kSumLanes; l++) lanes[t][l] = 0;
        // Chunks start at multiples of kChunk (a multiple of kSumLanes) into the segment, so the
        // lane of chunk offset k is the lane of its segment offset.
        for (int64_t j = i; j < run_end; j += kChunk) {
            const int64_t len = run_end - j < kChunk ? run_end - j : kChunk;
            const float* wj = w + j;
            const float* gh = g_what != nullptr ? g_what + j : zeros;
            const float* gc = g_c != nullptr ? g_c + j : zeros;
            float* gwo = g_w != nullptr ? g_w + j : g_w_scratch;
            for (int64_t k = 0; k < len; k++) {
                const double wk = wj[k];
                const double ck = encode_k<K>(p, wk);
                bad |= element_bad(wk, ck);
                const double qk = symbol_k<K>(p, wk, (float)ck);
                double gw, gp[kMaxParams];
                backward_k<K>(p, wk, qk, gh[k], g_c_scale * gc[k], &gw, gp);
                gwo[k] = (float)gw;
                for (int32_t t = 0; t < np; t++) contrib[t][k] = gp[t];
            }
            if (acc == nullptr) continue;
            for (int32_t t = 0; t < np; t++) {
                int64_t k = 0;
                for (; k + kSumLanes <= len; k += kSumLanes)
                    for (int32_t l = 0; l < kSumLanes; l++) lanes[t][l] += contrib[t][k + l];
                for (; k < len; k++) lanes[t][k % kSumLanes] += contrib[t][k];
            }
        }
        if (acc != nullptr)
            for (int32_t t = 0; t < np; t++) acc[ch * np + t] += reduce_lanes(lanes[t]);
        i = run_end;
    }
    return bad != 0;
}

template <int32_t K>
bool forward_base(const float* w, int64_t begin, int64_t end, int32_t count, int64_t inner, const float* params,
                  float* c, int32_t* q, float* what) {
    return forward_body<K>(w, begin, end, count, inner, params, c, q, what);
}
template <int32_t K>
bool backward_base(const float* w, int64_t begin, int64_t end, int32_t count, int64_t inner, const float* params,
                   const float* g_what, const float* g_c, double g_c_scale, float* g_w, double* acc) {
    return backward_body<K>(w, begin, end, count, inner, params, g_what, g_c, g_c_scale, g_w, acc);
}
#if L2C_X86_SIMD
template <int32_t K>
L2C_TARGET_AVX2 bool forward_avx2(const float* w, int64_t begin, int64_t end, int32_t count, int64_t inner,
                                  const float* params, float* c, int32_t* q, float* what) {
    return forward_body<K>(w, begin, end, count, inner, params, c, q, what);
}
template <int32_t K>
L2C_TARGET_AVX2 bool backward_avx2(const float* w, int64_t begin, int64_t end, int32_t count, int64_t inner,
                                   const float* params, const float* g_what, const float* g_c, double g_c_scale,
                                   float* g_w, double* acc) {
    return backward_body<K>(w, begin, end, count, inner, params, g_what, g_c, g_c_scale, g_w, acc);
}
template <int32_t K>
L2C_TARGET_AVX512 bool forward_avx512(const float* w, int64_t begin, int64_t end, int32_t count, int64_t inner,
                                      const float* params, float* c, int32_t* q, float* what) {
    return forward_body<K>(w, begin, end, count, inner, params, c, q, what);
}
template <int32_t K>
L2C_TARGET_AVX512 bool backward_avx512(const float* w, int64_t begin, int64_t end, int32_t count, int64_t inner,
                                       const float* params, const float* g_what, const float* g_c, double g_c_scale,
                                       float* g_w, double* acc) {
    return backward_body<K>(w, begin, end, count, inner, params, g_what, g_c, g_c_scale, g_w, acc);
}
#endif

template <int32_t K>
using ForwardFn = bool (*)(const float*, int64_t, int64_t, int32_t, int64_t, const float*, float*, int32_t*, float*);
template <int32_t K>
using BackwardFn = bool (*)(const float*, int64_t, int64_t, int32_t, int64_t, const float*, const float*,
                            const float*, double, float*, double*);

template <int32_t K>
ForwardFn<K> forward_fn() {
#if L2C_X86_SIMD
    const int32_t level = simd::level();
    if (level >= simd::kAvx512) return forward_avx512<K>;
    if (level >= simd::kAvx2) return forward_avx2<K>;
#endif
    return forward_base<K>;
}

template <int32_t K>
BackwardFn<K> backward_fn() {
#if L2C_X86_SIMD
    const int32_t level = simd::level();
    if (level >= simd::kAvx512) return backward_avx512<K>;
    if (level >= simd::kAvx2) return backward_avx2<K>;
#endif
    return backward_base<K>;
}

template <int32_t K>
inline int32_t forward_kind(const float* w, int64_t n, int32_t count, int64_t inner, const float* params, float* c,
                            int32_t* q, float* what, int32_t threads, int64_t* err_pos) {
    const int64_t blocks = (n + kForwardBlock - 1) / kForwardBlock;
    const ForwardFn<K> run = forward_fn<K>();
    FirstError first;
#pragma omp parallel for schedule(static) num_threads(resolve_threads(threads, blocks))
    for (int64_t blk = 0; blk < blocks; blk++) {
        const int64_t begin = blk * kForwardBlock;
        const int64_t end = begin + kForwardBlock < n ? begin + kForwardBlock : n;
        if (run(w, begin, end, count, inner, params, c, q, what))
            first_bad<K>(w, begin, end, count, inner, params, &first);
    }
    *err_pos = first.pos;
    return first.status;
}

template <int32_t K>
inline int32_t backward_kind(const float* w, int64_t n, int32_t count, int64_t inner, const float* params,
                             const float* g_what, const float* g_c, double g_c_scale, float* g_w, float* g_params,
                             int32_t threads, int64_t* err_pos) {
    constexpr int32_t np = params_of<K>();
    const int64_t block = reduction_block(n, count, np);
    const int64_t blocks = (n + block - 1) / block;
    const BackwardFn<K> run = backward_fn<K>();
    FirstError first;
    try {
        // partial[(blk * count + ch) * np + k]: block blk's sum for parameter k of channel ch.
        std::vector<double> partial(g_params != nullptr ? (size_t)(blocks * count * np) : 0, 0.0);
#pragma omp parallel for schedule(dynamic, 1) num_threads(resolve_threads(threads, blocks))
        for (int64_t blk = 0; blk < blocks; blk++) {
            double* acc = g_params != nullptr ? &partial[(size_t)(blk * count * np)] : nullptr;
            const int64_t begin = blk * block;
            const int64_t end = begin + block < n ? begin + block : n;
            if (run(w, begin, end, count, inner, params, g_what, g_c, g_c_scale, g_w, acc))
                first_bad<K>(w, begin, end, count, inner, params, &first);
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

// g_c enters scaled by g_c_scale (finite), so a rate gradient computed unscaled needs no extra pass.
inline int32_t backward(int32_t kind, const float* w, int64_t n, int32_t count, int64_t inner,
                        const float* params, const float* g_what, const float* g_c, double g_c_scale, float* g_w,
                        float* g_params, int32_t threads, int64_t* err_pos) {
    int32_t st = check_layout(kind, n, count, inner, w, params, err_pos);
    if (st != kOk) return st;
    if (!(fabs(g_c_scale) < INFINITY)) return kErrArgument;
    switch (kind) {
        case kUniform:
            return backward_kind<kUniform>(w, n, count, inner, params, g_what, g_c, g_c_scale, g_w, g_params, threads,
                                           err_pos);
        case kEdgeScale:
            return backward_kind<kEdgeScale>(w, n, count, inner, params, g_what, g_c, g_c_scale, g_w, g_params,
                                             threads, err_pos);
        default:
            return backward_kind<kPiecewise>(w, n, count, inner, params, g_what, g_c, g_c_scale, g_w, g_params,
                                             threads, err_pos);
    }
}

// --- distortion of a transform's output (the L2 objectives) ----------------------------------

// Elements per block of the distortion sums: blocks are the unit of threading, so the sums do
// not depend on the thread count.
constexpr int64_t kDiffBlock = 65536;

// Sums term(i) in double over n elements: within a block of kDiffBlock elements element i goes to
// lane i % kSumLanes, the lanes combine with reduce_lanes, the blocks add in order. The same bits
// for every thread count and SIMD level. kOk or kErrAlloc.
template <class Term>
inline int32_t lane_sum(int64_t n, int32_t threads, Term term, double* out) {
    const int64_t blocks = (n + kDiffBlock - 1) / kDiffBlock;
    try {
        std::vector<double> partial((size_t)blocks);
#pragma omp parallel for schedule(static) num_threads(resolve_threads(threads, blocks))
        for (int64_t blk = 0; blk < blocks; blk++) {
            const int64_t begin = blk * kDiffBlock, end = begin + kDiffBlock < n ? begin + kDiffBlock : n;
            double lane[kSumLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
            int64_t i = begin;
            for (; i + kSumLanes <= end; i += kSumLanes)
                for (int32_t j = 0; j < kSumLanes; j++) lane[j] += term(i + j);
            for (int32_t j = 0; i < end; i++, j++) lane[j] += term(i);
            partial[(size_t)blk] = reduce_lanes(lane);
        }
        double sum = 0;
        for (int64_t blk = 0; blk < blocks; blk++) sum += partial[(size_t)blk];
        *out = sum;
    } catch (const std::bad_alloc&) {
        return kErrAlloc;
    }
    return kOk;
}

// *out = sum_i (a_i - b_i)^2 (lane_sum's order). kOk, kErrArgument or kErrAlloc.
inline int32_t squared_difference(const float* a, const float* b, int64_t n, int32_t threads, double* out) {
    if (n < 0 || out == nullptr || (n > 0 && (a == nullptr || b == nullptr))) return kErrArgument;
    return lane_sum(n, threads, [=](int64_t i) {
        const double d = (double)a[i] - (double)b[i];
        return d * d;
    }, out);
}

// *out = sum_i g_i (a_i - b_i) (lane_sum's order): a gradient's inner product with a change.
inline int32_t dot_difference(const float* g, const float* a, const float* b, int64_t n, int32_t threads,
                              double* out) {
    if (n < 0 || out == nullptr || (n > 0 && (g == nullptr || a == nullptr || b == nullptr))) return kErrArgument;
    return lane_sum(n, threads, [=](int64_t i) { return (double)g[i] * ((double)a[i] - (double)b[i]); }, out);
}

// g_i = (float)(((double)a_i - b_i) * scale), the gradient of scale / 2 * sum (a_i - b_i)^2.
inline int32_t scaled_difference(const float* a, const float* b, int64_t n, double scale, float* g,
                                 int32_t threads) {
    if (n < 0 || (n > 0 && (a == nullptr || b == nullptr || g == nullptr))) return kErrArgument;
    const int64_t blocks = (n + kDiffBlock - 1) / kDiffBlock;
#pragma omp parallel for schedule(static) num_threads(resolve_threads(threads, blocks))
    for (int64_t blk = 0; blk < blocks; blk++) {
        const int64_t begin = blk * kDiffBlock, end = begin + kDiffBlock < n ? begin + kDiffBlock : n;
        for (int64_t i = begin; i < end; i++) g[i] = (float)(((double)a[i] - (double)b[i]) * scale);
    }
    return kOk;
}

}  // namespace cpu
}  // namespace transform
}  // namespace l2c

#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#pragma GCC pop_options
#endif
