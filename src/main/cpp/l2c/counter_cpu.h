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

// The summed histograms of one scatter (see scatter_element for the four arrays).
struct Histograms {
    std::vector<int64_t> count, full, part, dens;
};

template <int32_t K, bool kDensity>
void scatter_all(const Geometry& g, const float* c, int64_t n, int nt, Histograms* h) {
    const size_t bins = (size_t)g.bins;
    h->count.assign(bins, 0);
    h->full.assign(bins + 2, 0);
    h->part.assign(bins + 1, 0);
    h->dens.assign(kDensity ? bins + 1 : 0, 0);
    const int64_t per_thread = 4 * (int64_t)bins + 4;
    // Thread-private histograms, summed afterwards: integer sums, so the order is irrelevant.
    std::vector<int64_t> scratch((size_t)(per_thread * nt), 0);
#pragma omp parallel num_threads(nt)
    {
        const int t = omp_get_thread_num();
        int64_t* base = &scratch[(size_t)(per_thread * t)];
        int64_t *count = base, *full = count + bins, *part = full + bins + 2, *dens = part + bins + 1;
#pragma omp for schedule(static)
        for (int64_t i = 0; i < n; i++) scatter_element<K, kDensity>(g, c[i], count, full, part, dens, PlainAdd());
    }
    for (int t = 0; t < nt; t++) {
        const int64_t* base = &scratch[(size_t)(per_thread * t)];
        const int64_t *count = base, *full = count + bins, *part = full + bins + 2, *dens = part + bins + 1;
        for (size_t b = 0; b < bins; b++) h->count[b] += count[b];
        for (size_t b = 0; b < bins + 2; b++) h->full[b] += full[b];
        for (size_t b = 0; b <= bins; b++) h->part[b] += part[b];
        if (kDensity)
            for (size_t b = 0; b <= bins; b++) h->dens[b] += dens[b];
    }
}

template <bool kDensity>
void scatter_dispatch(int32_t kernel, const Geometry& g, const float* c, int64_t n, int nt, Histograms* h) {
    if (kernel == kCos) scatter_all<kCos, kDensity>(g, c, n, nt, h);
    else if (kernel == kTri) scatter_all<kTri, kDensity>(g, c, n, nt, h);
    else scatter_all<kLin, kDensity>(g, c, n, nt, h);
}

template <int32_t K>
void gather_all(const Geometry& g, const float* c, int64_t n, int nt, const double* coef,
                const double* query, float scale, float* grad) {
#pragma omp parallel for schedule(static) num_threads(nt)
    for (int64_t i = 0; i < n; i++) grad[i] = (float)(scale * gather_element<K>(g, c[i], coef, query));
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
        Histograms h;
        scatter_dispatch<false>(kernel, g, c, n, nt, &h);
        *bits_out = tables(g, n, h.count.data(), h.full.data(), h.part.data(), nullptr, probs,
                           nullptr, nullptr);
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
        Histograms h;
        scatter_dispatch<true>(kernel, g, c, n, nt, &h);
        std::vector<double> probs((size_t)g.bins), coef((size_t)g.bins + 1), query((size_t)g.bins);
        tables(g, n, h.count.data(), h.full.data(), h.part.data(), h.dens.data(), probs.data(),
               coef.data(), query.data());
        if (kernel == kCos) gather_all<kCos>(g, c, n, nt, coef.data(), query.data(), scale, grad);
        else if (kernel == kTri) gather_all<kTri>(g, c, n, nt, coef.data(), query.data(), scale, grad);
        else gather_all<kLin>(g, c, n, nt, coef.data(), query.data(), scale, grad);
    } catch (const std::bad_alloc&) {
        return kErrAlloc;
    }
    return kOk;
}

}  // namespace cpu
}  // namespace counter
}  // namespace l2c
