// CPU differentiable counter over OpenMP threads, the math of l2c/counter_core.h. Entry points
// validate their inputs and return kOk or a negative Status; none throws.
//
// Buffers are caller-owned host memory: c and grad hold n floats; probs holds probs_capacity
// doubles; bits_out, min_symbol_out, bins_out and err_pos one value each. `threads <= 0` means
// all available. Results are the same bits for any thread count (integer histograms).
#pragma once
#include <omp.h>
#include <stdint.h>

#include <new>
#include <vector>

#include "l2c/counter_core.h"

namespace l2c {
namespace counter {
namespace cpu {

inline int resolve_threads(int32_t threads) { return threads > 0 ? threads : omp_get_max_threads(); }

inline int32_t check_args(const float* c, int64_t n, int32_t kernel, int32_t resolution,
                          int64_t* err_pos) {
    if (err_pos == nullptr) return kErrArgument;
    *err_pos = -1;
    if (n < 1 || n > kMaxElements || c == nullptr || !valid_kernel(kernel) || resolution < 1)
        return kErrArgument;
    return kOk;
}

// Min and max of the codes; kErrNonFinite with the first bad index.
inline int32_t code_range(const float* c, int64_t n, int nt, float* min_c, float* max_c,
                          int64_t* err_pos) {
    float lo = INFINITY, hi = -INFINITY;
    int64_t bad = n;
#pragma omp parallel for schedule(static) num_threads(nt) reduction(min : lo, bad) reduction(max : hi)
    for (int64_t i = 0; i < n; i++) {
        const float v = c[i];
        if (!(fabsf(v) < INFINITY)) {
            if (i < bad) bad = i;
            continue;
        }
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    if (bad < n) {
        *err_pos = bad;
        return kErrNonFinite;
    }
    *min_c = lo;
    *max_c = hi;
    return kOk;
}

// Elements per chunk of the two-pass loops below: the first pass (locate, features, fixed
// point) has no stores to shared slots and vectorizes; the second does the scattered adds.
constexpr int64_t kChunk = 512;

#if defined(__GNUC__) && !defined(__clang__) && (defined(__x86_64__) || defined(__i386__))
#define L2C_X86_DISPATCH 1
#define L2C_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define L2C_ALWAYS_INLINE inline
#endif

template <int32_t K>
L2C_ALWAYS_INLINE void scatter_range_body(const Geometry& g, const float* c, int64_t begin, int64_t end,
                                          int64_t* count, int64_t* sub) {
    int32_t sym[kChunk], cell[kChunk];
    int64_t x1[kChunk], x2[kChunk];
    const int64_t kmin = g.kmin;
    for (int64_t base = begin; base < end; base += kChunk) {
        const int64_t len = end - base < kChunk ? end - base : kChunk;
        for (int64_t k = 0; k < len; k++) {
            const float cf = c[base + k];
            double off, f1, f2;
            cell[k] = 3 * locate(g, cf, &off);
            features<K>(g, off, &f1, &f2);
            sym[k] = (int32_t)(symbol_of(cf) - kmin);
            x1[k] = to_fixed(f1);
            x2[k] = to_fixed(f2);
        }
        for (int64_t k = 0; k < len; k++) {
            count[sym[k]] += 1;
            int64_t* h = sub + cell[k];
            h[0] += 1;
            h[1] += x1[k];
            h[2] += x2[k];
        }
    }
}

template <int32_t K>
L2C_ALWAYS_INLINE void gather_range_body(const Geometry& g, const float* c, int64_t begin, int64_t end,
                                         const double* gcoef, const double* query, double scale, float* grad) {
    const int64_t kmin = g.kmin;
    for (int64_t i = begin; i < end; i++) {
        const float cf = c[i];
        double off, f1, f2;
        const int32_t s = 3 * locate(g, cf, &off);
        features<K>(g, off, &f1, &f2);
        const int32_t k = (int32_t)(symbol_of(cf) - kmin);
        const double v = gcoef[s] + gcoef[s + 1] * f1 + gcoef[s + 2] * f2 + query[k];
        grad[i] = (float)(scale * v);
    }
}

// Baseline and AVX-512 builds of the same loops. The build disables floating-point contraction
// (-ffp-contract=off), so both perform the same IEEE operations and give the same bits.
template <int32_t K>
void scatter_range_base(const Geometry& g, const float* c, int64_t begin, int64_t end, int64_t* count, int64_t* sub) {
    scatter_range_body<K>(g, c, begin, end, count, sub);
}
template <int32_t K>
void gather_range_base(const Geometry& g, const float* c, int64_t begin, int64_t end, const double* gcoef,
                       const double* query, double scale, float* grad) {
    gather_range_body<K>(g, c, begin, end, gcoef, query, scale, grad);
}
#if defined(L2C_X86_DISPATCH)
template <int32_t K>
__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw"))) void scatter_range_avx512(
    const Geometry& g, const float* c, int64_t begin, int64_t end, int64_t* count, int64_t* sub) {
    scatter_range_body<K>(g, c, begin, end, count, sub);
}
template <int32_t K>
__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw"))) void gather_range_avx512(
    const Geometry& g, const float* c, int64_t begin, int64_t end, const double* gcoef, const double* query,
    double scale, float* grad) {
    gather_range_body<K>(g, c, begin, end, gcoef, query, scale, grad);
}
inline bool has_avx512() {
    static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
    return yes;
}
#endif

template <int32_t K>
void scatter_range(const Geometry& g, const float* c, int64_t begin, int64_t end, int64_t* count, int64_t* sub) {
#if defined(L2C_X86_DISPATCH)
    if (has_avx512()) return scatter_range_avx512<K>(g, c, begin, end, count, sub);
#endif
    scatter_range_base<K>(g, c, begin, end, count, sub);
}

template <int32_t K>
void gather_range(const Geometry& g, const float* c, int64_t begin, int64_t end, const double* gcoef,
                  const double* query, double scale, float* grad) {
#if defined(L2C_X86_DISPATCH)
    if (has_avx512()) return gather_range_avx512<K>(g, c, begin, end, gcoef, query, scale, grad);
#endif
    gather_range_base<K>(g, c, begin, end, gcoef, query, scale, grad);
}

// Contiguous share of thread t of nt over n elements.
inline void share(int64_t n, int nt, int t, int64_t* begin, int64_t* end) {
    *begin = n * t / nt;
    *end = n * (t + 1) / nt;
}

// Scatters all codes into thread-private histograms (layout of hist_slots) and sums them into
// *h: integer sums, so the order is irrelevant.
template <int32_t K>
void scatter_all(const Geometry& g, const float* c, int64_t n, int nt, std::vector<int64_t>* h) {
    const int64_t slots = hist_slots(g.bins);
    h->assign((size_t)slots, 0);
    std::vector<int64_t> scratch((size_t)(slots * (nt - 1)), 0);
#pragma omp parallel num_threads(nt)
    {
        const int t = omp_get_thread_num(), nteam = omp_get_num_threads();
        int64_t* count = t == 0 ? h->data() : &scratch[(size_t)(slots * (t - 1))];
        int64_t begin, end;
        share(n, nteam, t, &begin, &end);
        scatter_range<K>(g, c, begin, end, count, count + g.bins);
    }
    for (int t = 1; t < nt; t++) {
        const int64_t* part = &scratch[(size_t)(slots * (t - 1))];
        for (int64_t s = 0; s < slots; s++) (*h)[(size_t)s] += part[s];
    }
}

template <int32_t K>
void gather_all(const Geometry& g, const float* c, int64_t n, int nt, const double* gcoef,
                const double* query, float scale, float* grad) {
#pragma omp parallel num_threads(nt)
    {
        int64_t begin, end;
        share(n, omp_get_num_threads(), omp_get_thread_num(), &begin, &end);
        gather_range<K>(g, c, begin, end, gcoef, query, scale, grad);
    }
}

// Histograms, tables and (with grad non-null) the gather, for one kernel.
template <int32_t K>
void run(const Geometry& g, const float* c, int64_t n, int nt, double* bits, double* probs, float scale,
         float* grad) {
    std::vector<int64_t> h;
    scatter_all<K>(g, c, n, nt, &h);
    if (grad == nullptr) {
        *bits = tables_k<K>(g, n, h.data(), h.data() + g.bins, probs, nullptr, nullptr);
        return;
    }
    std::vector<double> own_probs(probs == nullptr ? (size_t)g.bins : 0), gcoef((size_t)(3 * subcells(g))),
        query((size_t)g.bins);
    double* p = probs != nullptr ? probs : own_probs.data();
    *bits = tables_k<K>(g, n, h.data(), h.data() + g.bins, p, gcoef.data(), query.data());
    gather_all<K>(g, c, n, nt, gcoef.data(), query.data(), scale, grad);
}

inline void run_dispatch(int32_t kernel, const Geometry& g, const float* c, int64_t n, int nt, double* bits,
                         double* probs, float scale, float* grad) {
    if (kernel == kCos) run<kCos>(g, c, n, nt, bits, probs, scale, grad);
    else if (kernel == kTri) run<kTri>(g, c, n, nt, bits, probs, scale, grad);
    else run<kLin>(g, c, n, nt, bits, probs, scale, grad);
}

// Rate of n codes: *bits_out, *min_symbol_out = kmin, *bins_out = bins and probs[0 .. bins).
// kErrCapacity (with *bins_out set) when probs_capacity < bins.
inline int32_t forward(const float* c, int64_t n, int32_t kernel, int32_t resolution,
                       double* bits_out, int64_t* min_symbol_out, double* probs,
                       int64_t probs_capacity, int64_t* bins_out, int32_t threads, int64_t* err_pos) {
    int32_t st = check_args(c, n, kernel, resolution, err_pos);
    if (st != kOk) return st;
    if (bits_out == nullptr || min_symbol_out == nullptr || bins_out == nullptr ||
        probs_capacity < 0 || (probs == nullptr && probs_capacity > 0))
        return kErrArgument;
    const int nt = resolve_threads(threads);
    float min_c, max_c;
    Geometry g;
    if ((st = code_range(c, n, nt, &min_c, &max_c, err_pos)) != kOk) return st;
    if ((st = make_geometry(min_c, max_c, resolution, &g)) != kOk) return st;
    *bins_out = g.bins;
    *min_symbol_out = g.kmin;
    if (probs_capacity < g.bins) return kErrCapacity;
    try {
        run_dispatch(kernel, g, c, n, nt, bits_out, probs, 0.0f, nullptr);
    } catch (const std::bad_alloc&) {
        return kErrAlloc;
    }
    return kOk;
}

// grad[i] = scale * dR/dc_i for all n codes.
inline int32_t backward(const float* c, int64_t n, int32_t kernel, int32_t resolution, float scale,
                        float* grad, int32_t threads, int64_t* err_pos) {
    int32_t st = check_args(c, n, kernel, resolution, err_pos);
    if (st != kOk) return st;
    if (grad == nullptr) return kErrArgument;
    const int nt = resolve_threads(threads);
    float min_c, max_c;
    Geometry g;
    if ((st = code_range(c, n, nt, &min_c, &max_c, err_pos)) != kOk) return st;
    if ((st = make_geometry(min_c, max_c, resolution, &g)) != kOk) return st;
    try {
        double bits;
        run_dispatch(kernel, g, c, n, nt, &bits, nullptr, scale, grad);
    } catch (const std::bad_alloc&) {
        return kErrAlloc;
    }
    return kOk;
}

}  // namespace cpu
}  // namespace counter
}  // namespace l2c
