// CPU differentiable counter over OpenMP threads, the math of l2c/counter_core.h. Entry points
// validate their inputs and return kOk or a negative Status; none throws.
//
// Buffers are caller-owned host memory: c and grad hold n floats; probs holds probs_capacity
// doubles; bits_out, min_symbol_out, bins_out and err_pos one value each. grad may be c itself
// (the gather reads a code before it writes its gradient; a partial overlap is not allowed).
// `threads <= 0` means all available. Results are the same bits for any thread count (integer
// histograms) and on every SIMD path.
//
// Speed: one call does the range scan, one scatter, the table stage and (for the gradient) one
// gather, so forward_backward reads the codes three times. The per-element loops are compiled per
// SIMD level (l2c/simd.h): the AVX-512 loops vectorize the locate / feature work eight doubles
// wide and read the gradient table rows with transposed row loads instead of gathers. The AVX2
// loops are written out with intrinsics (the compiler left them largely scalar): locate, features
// and fixed point four doubles wide, the scatter into a per-thread histogram with one row per
// sub-cell (one 16-byte add per code), the gather by transposed row halves.
#pragma once
#include <omp.h>
#include <stdint.h>

#include <new>
#include <vector>

#include "l2c/counter_core.h"
#include "l2c/simd.h"
#include "l2c/threads.h"

namespace l2c {
namespace counter {
namespace cpu {

// Threads for n codes: `threads` (<= 0: all), but one per kMinPerThread codes at most, since a
// thread adds a histogram to sum and waking an idle one costs more than a small share saves.
constexpr int64_t kMinPerThread = 65536;

inline int resolve_threads(int32_t threads, int64_t n) {
    const int64_t want = requested_threads(threads);
    const int64_t cap = (n + kMinPerThread - 1) / kMinPerThread;
    return (int)(want < cap ? want : cap > 0 ? cap : 1);
}

inline int32_t check_args(const float* c, int64_t n, int32_t kernel, int32_t resolution,
                          int64_t* err_pos) {
    if (err_pos == nullptr) return kErrArgument;
    *err_pos = -1;
    if (n < 1 || n > kMaxElements || c == nullptr || !valid_kernel(kernel) || resolution < 1)
        return kErrArgument;
    return kOk;
}

// --- per-element loops (one body, compiled per SIMD level) ------------------------------------

// Lanes of the min/max scan: independent running minima and maxima, so the loop vectorizes.
constexpr int kLanes = 16;

// The end of a range scan, shared by its scalar and AVX2 forms: elements [i, end) into lane 0,
// then the lanes combined in order into *lo, *hi; returns the non-finite flag.
L2C_ALWAYS_INLINE bool range_finish(const float* c, int64_t i, int64_t end, float* l, float* h, float* z, float* lo,
                                    float* hi) {
    for (; i < end; i++) {
        const float v = c[i];
        z[0] += v * 0.0f;
        l[0] = v < l[0] ? v : l[0];
        h[0] = v > h[0] ? v : h[0];
    }
    bool bad = false;
    for (int j = 0; j < kLanes; j++) {
        *lo = j == 0 || l[j] < *lo ? l[j] : *lo;
        *hi = j == 0 || h[j] > *hi ? h[j] : *hi;
        bad = bad || z[j] != 0;
    }
    return bad;
}

// Min and max of c[begin, end) into *lo, *hi; returns whether a NaN or infinity is among them
// (v * 0 is NaN exactly for those, and a NaN stays in the sum).
L2C_ALWAYS_INLINE bool range_part_body(const float* c, int64_t begin, int64_t end, float* lo, float* hi) {
    float l[kLanes], h[kLanes], z[kLanes];
    for (int j = 0; j < kLanes; j++) {
        l[j] = INFINITY;
        h[j] = -INFINITY;
        z[j] = 0;
    }
    int64_t i = begin;
    for (; i + kLanes <= end; i += kLanes) {
        for (int j = 0; j < kLanes; j++) {
            const float v = c[i + j];
            z[j] += v * 0.0f;
            l[j] = v < l[j] ? v : l[j];
            h[j] = v > h[j] ? v : h[j];
        }
    }
    return range_finish(c, i, end, l, h, z, lo, hi);
}

// Elements per chunk of the two-pass loops below: the first pass (locate, features, fixed
// point) has no stores to shared slots and vectorizes; the second does the scattered adds.
constexpr int64_t kChunk = 512;

// Scatter of c[begin, end) into one thread's histograms. The counts per bin are not added here:
// a code's bin is its cell (locate), so scatter_all derives them from the sub-cell counts; only
// the rare codes that round into the bin below their cell are moved here.
template <int32_t K>
L2C_ALWAYS_INLINE void scatter_range_body(const Geometry& g, const float* c, int64_t begin, int64_t end,
                                          int64_t* count, int64_t* sub) {
    int32_t cell[kChunk], below[kChunk];
    int64_t x1[kChunk], x2[kChunk];
    for (int64_t base = begin; base < end; base += kChunk) {
        const int64_t len = end - base < kChunk ? end - base : kChunk;
        int32_t any_below = 0;
        for (int64_t k = 0; k < len; k++) {
            double off, f1, f2;
            int32_t b;
            cell[k] = 3 * locate(g, c[base + k], &off, &b);
            features<K>(g, off, &f1, &f2);
            below[k] = b;
            any_below |= b;
            x1[k] = to_fixed(f1);
            x2[k] = to_fixed(f2);
        }
        for (int64_t k = 0; k < len; k++) {
            int64_t* h = sub + cell[k];
            h[0] += 1;
            h[1] += x1[k];
            if (K != kLin) h[2] += x2[k];
        }
        if (any_below == 0) continue;
        for (int64_t k = 0; k < len; k++) {
            if (below[k] == 0) continue;
            const int64_t m = cell[k] / 9;
            count[m - 1] += 1;
            if (m < g.bins) count[m] -= 1;
        }
    }
}

template <int32_t K>
L2C_ALWAYS_INLINE void gather_range_body(const Geometry& g, const float* c, int64_t begin, int64_t end,
                                         const double* table, double scale, float* grad) {
    for (int64_t i = begin; i < end; i++) grad[i] = (float)(scale * gather_element<K>(g, c[i], table));
}

// The bodies for baseline x86-64 (and other CPUs). The build disables floating-point contraction
// (-ffp-contract=off) and the polynomials use explicit fma, so every level performs the same
// IEEE operations and gives the same bits.
inline bool range_part_base(const float* c, int64_t begin, int64_t end, float* lo, float* hi) {
    return range_part_body(c, begin, end, lo, hi);
}
template <int32_t K>
void scatter_range_base(const Geometry& g, const float* c, int64_t begin, int64_t end, int64_t* count, int64_t* sub) {
    scatter_range_body<K>(g, c, begin, end, count, sub);
}
template <int32_t K>
void gather_range_base(const Geometry& g, const float* c, int64_t begin, int64_t end, const double* table,
                       double scale, float* grad) {
    gather_range_body<K>(g, c, begin, end, table, scale, grad);
}

#if L2C_X86_SIMD
// range_part_body written out (the compiler leaves its AVX2 build scalar): lane j of the two
// registers per quantity is lane j of the body's arrays, so the same minima, maxima and flag.
L2C_TARGET_AVX2 inline bool range_part_avx2(const float* c, int64_t begin, int64_t end, float* lo, float* hi) {
    static_assert(kLanes == 16, "two registers of eight lanes");
    const __m256 zero = _mm256_setzero_ps();
    __m256 l0 = _mm256_set1_ps(INFINITY), l1 = l0, h0 = _mm256_set1_ps(-INFINITY), h1 = h0, z0 = zero, z1 = zero;
    int64_t i = begin;
    for (; i + kLanes <= end; i += kLanes) {
        const __m256 v0 = _mm256_loadu_ps(c + i), v1 = _mm256_loadu_ps(c + i + 8);
        z0 = _mm256_add_ps(z0, _mm256_mul_ps(v0, zero));
        z1 = _mm256_add_ps(z1, _mm256_mul_ps(v1, zero));
        l0 = _mm256_min_ps(v0, l0);  // v < l ? v : l
        l1 = _mm256_min_ps(v1, l1);
        h0 = _mm256_max_ps(v0, h0);  // v > h ? v : h
        h1 = _mm256_max_ps(v1, h1);
    }
    float l[kLanes], h[kLanes], z[kLanes];
    _mm256_storeu_ps(l, l0);
    _mm256_storeu_ps(l + 8, l1);
    _mm256_storeu_ps(h, h0);
    _mm256_storeu_ps(h + 8, h1);
    _mm256_storeu_ps(z, z0);
    _mm256_storeu_ps(z + 8, z1);
    return range_finish(c, i, end, l, h, z, lo, hi);
}

// --- AVX2: the locate / feature work four doubles wide, written out --------------------------
// The compiler leaves the AVX2 loops largely scalar (no double -> int64 conversion below AVX-512),
// so these mirror locate, features, to_fixed and combine of counter_core.h with intrinsics, one
// IEEE operation for each of the scalar code's, in the same order: the same bits.

#define L2C_AVX2_INLINE __attribute__((always_inline, target("avx2,fma,bmi,bmi2,popcnt"))) inline

// cos_poly and sin_poly of counter_core.h on four angles: the same Horner steps.
L2C_AVX2_INLINE void cos_sin4(__m256d x, __m256d* c, __m256d* s) {
    const __m256d z = _mm256_mul_pd(x, x);
    __m256d rc = _mm256_set1_pd(cos_coef(0)), rs = _mm256_set1_pd(sin_coef(0));
    for (int i = 1; i < kCosTerms; i++) rc = _mm256_fmadd_pd(rc, z, _mm256_set1_pd(cos_coef(i)));
    for (int i = 1; i < kSinTerms; i++) rs = _mm256_fmadd_pd(rs, z, _mm256_set1_pd(sin_coef(i)));
    *c = rc;
    *s = _mm256_mul_pd(rs, x);
}

// Geometry constants broadcast once per call.
struct Geo4 {
    __m256d x0, bins, p1, p2, beta;
};

L2C_AVX2_INLINE Geo4 geo4(const Geometry& g) {
    return {_mm256_set1_pd(g.x0), _mm256_set1_pd((double)g.bins), _mm256_set1_pd(g.p1), _mm256_set1_pd(g.p2),
            _mm256_set1_pd(g.beta)};
}

// locate of four codes: sub-cells (int32), offsets, and the below mask (all ones where below).
// max_pd(t, 0) is t > 0 ? t : 0 and min_pd(t, bins) is t < bins ? t : bins, as in locate.
L2C_AVX2_INLINE void locate4(const Geo4& g, __m128 c, __m128i* s, __m256d* off, __m256d* below) {
    const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0);
    const __m256d cd = _mm256_cvtps_pd(c);
    __m256d t = _mm256_max_pd(_mm256_sub_pd(cd, g.x0), zero);
    t = _mm256_min_pd(t, g.bins);
    const __m256d m = _mm256_round_pd(t, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);  // (double)(int32_t)t
    const __m256d f = _mm256_sub_pd(t, m);
    const __m256d a1 = _mm256_cmp_pd(f, g.p1, _CMP_GE_OQ), a2 = _mm256_cmp_pd(f, g.p2, _CMP_GE_OQ);
    // a2 implies a1 and 0 <= p1 <= p2, so the larger of the masked values picks the sub-cell:
    // start = a2 ? p2 : (a1 ? p1 : 0), j = a1 + a2 (masks and max, cheaper than blends here).
    const __m256d start = _mm256_max_pd(_mm256_and_pd(a1, g.p1), _mm256_and_pd(a2, g.p2));
    *off = _mm256_sub_pd(f, start);
    *below = _mm256_and_pd(_mm256_cmp_pd(cd, zero, _CMP_LT_OQ), _mm256_cmp_pd(f, zero, _CMP_EQ_OQ));
    const __m256d j = _mm256_max_pd(_mm256_and_pd(a1, one), _mm256_and_pd(a2, _mm256_set1_pd(2.0)));
    // 3 m + j, exact in double (m < 2^21).
    const __m256d sd = _mm256_fmadd_pd(m, _mm256_set1_pd(3.0), j);
    *s = _mm256_cvttpd_epi32(sd);
}

template <int32_t K>
L2C_AVX2_INLINE void features4(const Geo4& g, __m256d off, __m256d* f1, __m256d* f2) {
    if (K == kCos) {
        cos_sin4(_mm256_min_pd(_mm256_mul_pd(g.beta, off), _mm256_set1_pd(kHalfPi)), f1, f2);
    } else if (K == kTri) {
        *f1 = off;
        *f2 = _mm256_mul_pd(off, off);
    } else {
        *f1 = off;
        *f2 = _mm256_setzero_pd();
    }
}

// to_fixed: (int64)(v 2^32 + 1/2). v 2^32 is exact (a power of two), so one fma rounds as the
// multiply and add do. Truncated in double, then moved into the integer bits by adding 1.5 * 2^52
// (exact for |x| < 2^51, and features are in [0, 1]).
L2C_AVX2_INLINE __m256i to_fixed4(__m256d v) {
    const __m256d x = _mm256_fmadd_pd(v, _mm256_set1_pd(kFixedOne), _mm256_set1_pd(0.5));
    const __m256d magic = _mm256_set1_pd(6755399441055744.0);  // 1.5 * 2^52
    const __m256d tr = _mm256_round_pd(x, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    return _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(tr, magic)), _mm256_castpd_si256(magic));
}

// One scatter step of four codes: their sub-cells idx, the pairs add[j] = (x1_j, x2_j) to add, and
// the below mask (bit j for lane j).
template <int32_t K>
L2C_AVX2_INLINE int scatter_prep4(const Geo4& g4, __m128 c, __m128i add[4], int32_t idx[4]) {
    __m128i s;
    __m256d off, below, f1, f2;
    locate4(g4, c, &s, &off, &below);
    features4<K>(g4, off, &f1, &f2);
    const __m256i x1 = to_fixed4(f1), x2 = to_fixed4(f2);
    // The (x1, x2) pair of each lane.
    const __m256i lo = _mm256_unpacklo_epi64(x1, x2), hi = _mm256_unpackhi_epi64(x1, x2);
    add[0] = _mm256_castsi256_si128(lo);
    add[1] = _mm256_castsi256_si128(hi);
    add[2] = _mm256_extracti128_si256(lo, 1);
    add[3] = _mm256_extracti128_si256(hi, 1);
    _mm_store_si128((__m128i*)idx, s);
    return _mm256_movemask_pd(below);
}

L2C_AVX2_INLINE void scatter_add4(const Geometry& g, const __m128i add[4], const int32_t idx[4], int below,
                                  int64_t* count, int64_t* wide) {
    for (int j = 0; j < 4; j++) {
        int64_t* h = wide + 4 * (int64_t)idx[j];
        _mm_storeu_si128((__m128i*)h, _mm_add_epi64(_mm_loadu_si128((const __m128i*)h), add[j]));
        h[2] += 1;
    }
    if (below == 0) return;
    for (int j = 0; j < 4; j++) {
        if (((below >> j) & 1) == 0) continue;
        const int64_t m = idx[j] / 3;
        if (m > 0) count[m - 1] += 1;
        if (m < g.bins) count[m] -= 1;
    }
}

// Scatter of c[begin, end) into one thread's wide histogram: per sub-cell s the four int64
// wide[4 s .. 4 s + 3] = (sum of f1, sum of f2, elements, unused), so an element's three adds are
// one 16-byte add of its (x1, x2) pair and an integer increment. count gets the moves of the codes
// that round into the bin below their cell, as in scatter_range_body. scatter_all folds wide into
// the usual layout (integer sums: same bits).
template <int32_t K>
L2C_TARGET_AVX2 void scatter_wide_avx2(const Geometry& g, const float* c, int64_t begin, int64_t end,
                                       int64_t* count, int64_t* wide) {
    const Geo4 g4 = geo4(g);
    int64_t i = begin;
    for (; i + 4 <= end; i += 4) {
        __m128i add[4];
        alignas(16) int32_t idx[4];
        const int b = scatter_prep4<K>(g4, _mm_loadu_ps(c + i), add, idx);
        scatter_add4(g, add, idx, b, count, wide);
    }
    for (; i < end; i++) {
        double off, f1, f2;
        int32_t b;
        const int64_t s = locate(g, c[i], &off, &b);
        features<K>(g, off, &f1, &f2);
        int64_t* h = wide + 4 * s;
        h[0] += to_fixed(f1);
        h[1] += to_fixed(f2);
        h[2] += 1;
        if (b != 0) {
            const int64_t m = s / 3;
            if (m > 0) count[m - 1] += 1;
            if (m < g.bins) count[m] -= 1;
        }
    }
}

// The gather with AVX2: locate and features four wide, then each code's table row (b0, G1, G2, b3)
// read as two 16-byte halves and transposed into four columns (cheaper than gather instructions).
// Same operations in the same order as gather_element (combine).
template <int32_t K>
L2C_AVX2_INLINE __m128 gather4(const Geo4& g4, __m128 c, const double* table, __m256d scale) {
    __m128i s;
    __m256d off, below, f1, f2;
    locate4(g4, c, &s, &off, &below);
    features4<K>(g4, off, &f1, &f2);
    alignas(16) int32_t idx[4];
    _mm_store_si128((__m128i*)idx, _mm_slli_epi32(s, 2));
    const double *r0 = table + idx[0], *r1 = table + idx[1], *r2 = table + idx[2], *r3 = table + idx[3];
    const __m256d lo02 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_loadu_pd(r0)), _mm_loadu_pd(r2), 1);
    const __m256d lo13 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_loadu_pd(r1)), _mm_loadu_pd(r3), 1);
    const __m256d hi02 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_loadu_pd(r0 + 2)), _mm_loadu_pd(r2 + 2), 1);
    const __m256d hi13 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_loadu_pd(r1 + 2)), _mm_loadu_pd(r3 + 2), 1);
    const __m256d b0 = _mm256_unpacklo_pd(lo02, lo13), g1 = _mm256_unpackhi_pd(lo02, lo13);
    const __m256d g2 = _mm256_unpacklo_pd(hi02, hi13), b3 = _mm256_unpackhi_pd(hi02, hi13);
    __m256d v = _mm256_blendv_pd(b0, b3, below);
    if (K != kLin) v = _mm256_add_pd(v, _mm256_mul_pd(g1, f1));
    if (K == kCos) v = _mm256_add_pd(v, _mm256_mul_pd(g2, f2));
    return _mm256_cvtpd_ps(_mm256_mul_pd(scale, v));
}

template <int32_t K>
L2C_TARGET_AVX2 void gather_range_avx2(const Geometry& g, const float* c, int64_t begin, int64_t end,
                                       const double* table, double scale, float* grad) {
    const Geo4 g4 = geo4(g);
    const __m256d vscale = _mm256_set1_pd(scale);
    int64_t i = begin;
    // Eight codes a step, both groups loaded before either gradient is stored (grad may be c
    // itself), so their independent work overlaps.
    for (; i + 8 <= end; i += 8) {
        const __m128 c0 = _mm_loadu_ps(c + i), c1 = _mm_loadu_ps(c + i + 4);
        const __m128 v0 = gather4<K>(g4, c0, table, vscale), v1 = gather4<K>(g4, c1, table, vscale);
        _mm_storeu_ps(grad + i, v0);
        _mm_storeu_ps(grad + i + 4, v1);
    }
    for (; i + 4 <= end; i += 4) _mm_storeu_ps(grad + i, gather4<K>(g4, _mm_loadu_ps(c + i), table, vscale));
    for (; i < end; i++) grad[i] = (float)(scale * gather_element<K>(g, c[i], table));
}

// The compiler-vectorized scatter, for histograms too large for the wide layout (kWideMaxBins).
template <int32_t K>
L2C_TARGET_AVX2 void scatter_range_avx2(const Geometry& g, const float* c, int64_t begin, int64_t end,
                                        int64_t* count, int64_t* sub) {
    scatter_range_body<K>(g, c, begin, end, count, sub);
}

L2C_TARGET_AVX512 inline bool range_part_avx512(const float* c, int64_t begin, int64_t end, float* lo, float* hi) {
    return range_part_body(c, begin, end, lo, hi);
}
template <int32_t K>
L2C_TARGET_AVX512 void scatter_range_avx512(const Geometry& g, const float* c, int64_t begin, int64_t end,
                                            int64_t* count, int64_t* sub) {
    scatter_range_body<K>(g, c, begin, end, count, sub);
}

// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own undefined-vector idiom.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// Two 32-byte table rows in one register: row a in the low half, row b in the high half.
L2C_TARGET_AVX512 inline __m512d row_pair(const double* a, const double* b) {
    return _mm512_insertf64x4(_mm512_zextpd256_pd512(_mm256_loadu_pd(a)), _mm256_loadu_pd(b), 1);
}

// The gather with AVX-512. A first loop (vectorized by the compiler) locates the codes and
// evaluates their features into chunk arrays; the second reads each code's table row (b0, G1, G2,
// b3) with one 32-byte load and transposes eight rows into four columns, cheaper than three
// gather instructions. Same operations in the same order as gather_element (combine), so the
// same bits.
template <int32_t K>
L2C_TARGET_AVX512 void gather_range_avx512(const Geometry& g, const float* c, int64_t begin, int64_t end,
                                           const double* table, double scale, float* grad) {
    alignas(64) int32_t row[kChunk], below[kChunk];
    alignas(64) double f1[kChunk], f2[kChunk];
    const __m512d vscale = _mm512_set1_pd(scale);
    // After the in-lane unpacks, t_lo = (a0 c0 a2 c2 b0 d0 b2 d2) for rows a..d, likewise for rows
    // e..h: these pick (x0 of a..h) and (x2 of a..h) out of the two registers.
    const __m512i first = _mm512_set_epi64(13, 9, 12, 8, 5, 1, 4, 0);
    const __m512i second = _mm512_set_epi64(15, 11, 14, 10, 7, 3, 6, 2);
    for (int64_t base = begin; base < end; base += kChunk) {
        const int64_t len = end - base < kChunk ? end - base : kChunk;
        for (int64_t k = 0; k < len; k++) {
            double off;
            int32_t b;
            row[k] = 4 * locate(g, c[base + k], &off, &b);
            below[k] = b;
            features<K>(g, off, &f1[k], &f2[k]);
        }
        int64_t k = 0;
        for (; k + 8 <= len; k += 8) {
            const __m512d r01 = row_pair(table + row[k], table + row[k + 1]);
            const __m512d r23 = row_pair(table + row[k + 2], table + row[k + 3]);
            const __m512d r45 = row_pair(table + row[k + 4], table + row[k + 5]);
            const __m512d r67 = row_pair(table + row[k + 6], table + row[k + 7]);
            const __m512d t0 = _mm512_unpacklo_pd(r01, r23), t1 = _mm512_unpackhi_pd(r01, r23);
            const __m512d t2 = _mm512_unpacklo_pd(r45, r67), t3 = _mm512_unpackhi_pd(r45, r67);
            const __m512d b0 = _mm512_permutex2var_pd(t0, first, t2);
            const __m512d g1 = _mm512_permutex2var_pd(t1, first, t3);
            const __m512d g2 = _mm512_permutex2var_pd(t0, second, t2);
            const __m512d b3 = _mm512_permutex2var_pd(t1, second, t3);
            const __mmask8 low = _mm256_cmpneq_epi32_mask(_mm256_load_si256((const __m256i*)(below + k)),
                                                          _mm256_setzero_si256());
            __m512d v = _mm512_mask_blend_pd(low, b0, b3);
            if (K != kLin) v = _mm512_add_pd(v, _mm512_mul_pd(g1, _mm512_load_pd(f1 + k)));
            if (K == kCos) v = _mm512_add_pd(v, _mm512_mul_pd(g2, _mm512_load_pd(f2 + k)));
            _mm256_storeu_ps(grad + base + k, _mm512_cvtpd_ps(_mm512_mul_pd(vscale, v)));
        }
        for (; k < len; k++) {
            const int32_t r = row[k];
            const double v = combine<K>(table[r + 3 * below[k]], table[r + 1], table[r + 2], f1[k], f2[k]);
            grad[base + k] = (float)(scale * v);
        }
    }
}
#pragma GCC diagnostic pop
#endif

// --- dispatch ---------------------------------------------------------------------------------

#if L2C_X86_SIMD
// The table stage with the polynomials' fma as an instruction (flatten inlines them) instead of a
// libm call; same operations, same bits.
template <int32_t K>
L2C_TARGET_AVX2 __attribute__((flatten)) double tables_avx2(const Geometry& g, int64_t n, const int64_t* count,
                                                             const int64_t* sub, double* probs, double* table) {
    return tables_k<K>(g, n, count, sub, probs, table);
}
#endif

template <int32_t K>
double tables_dispatch(const Geometry& g, int64_t n, const int64_t* count, const int64_t* sub, double* probs,
                       double* table) {
#if L2C_X86_SIMD
    if (simd::level() >= simd::kAvx2) return tables_avx2<K>(g, n, count, sub, probs, table);
#endif
    return tables_k<K>(g, n, count, sub, probs, table);
}

inline bool range_part(const float* c, int64_t begin, int64_t end, float* lo, float* hi) {
#if L2C_X86_SIMD
    const int32_t level = simd::level();
    if (level >= simd::kAvx512) return range_part_avx512(c, begin, end, lo, hi);
    if (level >= simd::kAvx2) return range_part_avx2(c, begin, end, lo, hi);
#endif
    return range_part_base(c, begin, end, lo, hi);
}

template <int32_t K>
void scatter_range(const Geometry& g, const float* c, int64_t begin, int64_t end, int64_t* count, int64_t* sub) {
#if L2C_X86_SIMD
    const int32_t level = simd::level();
    if (level >= simd::kAvx512) return scatter_range_avx512<K>(g, c, begin, end, count, sub);
    if (level >= simd::kAvx2) return scatter_range_avx2<K>(g, c, begin, end, count, sub);
#endif
    scatter_range_base<K>(g, c, begin, end, count, sub);
}

template <int32_t K>
void gather_range(const Geometry& g, const float* c, int64_t begin, int64_t end, const double* table,
                  double scale, float* grad) {
#if L2C_X86_SIMD
    const int32_t level = simd::level();
    if (level >= simd::kAvx512) return gather_range_avx512<K>(g, c, begin, end, table, scale, grad);
    if (level >= simd::kAvx2) return gather_range_avx2<K>(g, c, begin, end, table, scale, grad);
#endif
    gather_range_base<K>(g, c, begin, end, table, scale, grad);
}

// Min and max of the codes; kErrNonFinite with the first bad index. The min and max are order
// independent (a -0 / +0 tie gives the same geometry either way).
inline int32_t code_range(const float* c, int64_t n, int nt, float* min_c, float* max_c,
                          int64_t* err_pos) {
    float lo = INFINITY, hi = -INFINITY;
    int32_t bad = 0;
#pragma omp parallel num_threads(nt) reduction(min : lo) reduction(max : hi) reduction(| : bad)
    {
        const int t = omp_get_thread_num(), nteam = omp_get_num_threads();
        const int64_t begin = n * t / nteam, end = n * (t + 1) / nteam;
        bad |= (int32_t)range_part(c, begin, end, &lo, &hi);
    }
    if (bad != 0) {
        for (int64_t i = 0; i < n; i++) {
            if (!(fabsf(c[i]) < INFINITY)) {
                *err_pos = i;
                return kErrNonFinite;
            }
        }
    }
    *min_c = lo;
    *max_c = hi;
    return kOk;
}

// Contiguous share of thread t of nt over n elements.
inline void share(int64_t n, int nt, int t, int64_t* begin, int64_t* end) {
    *begin = n * t / nt;
    *end = n * (t + 1) / nt;
}

// What one counter call needs besides its inputs and outputs: histograms and tables. A context
// keeps one and reuses its capacity from call to call; a one-shot call makes its own.
struct Scratch {
    std::vector<int64_t> hist, parts;
    std::vector<double> probs, table;
};

// Bins up to which the AVX2 scatter uses the wide layout (scatter_wide_avx2): 6 MiB per thread.
constexpr int64_t kWideMaxBins = (int64_t)1 << 16;

// Scatters all codes into thread-private histograms (layout of hist_slots) and sums them into
// *h: integer sums, so the order is irrelevant. Then count[m] gets the codes of cell m's sub-cells
// (on top of the moves scatter_range made).
template <int32_t K>
void scatter_all(const Geometry& g, const float* c, int64_t n, int nt, std::vector<int64_t>* h,
                 std::vector<int64_t>* parts_scratch) {
    const int64_t slots = hist_slots(g.bins);
    h->assign((size_t)slots, 0);
    int64_t* count = h->data();
    int64_t* sub = count + g.bins;
#if L2C_X86_SIMD
    if (simd::level() == simd::kAvx2 && g.bins <= kWideMaxBins) {
        // Per thread: count[bins], then the wide histogram (4 slots per sub-cell).
        const int64_t cells = subcells(g), block = g.bins + 4 * cells;
        std::vector<int64_t>& parts = *parts_scratch;
        parts.assign((size_t)(block * nt), 0);
#pragma omp parallel num_threads(nt)
        {
            const int t = omp_get_thread_num(), nteam = omp_get_num_threads();
            int64_t* part = &parts[(size_t)(block * t)];
            int64_t begin, end;
            share(n, nteam, t, &begin, &end);
            scatter_wide_avx2<K>(g, c, begin, end, part, part + g.bins);
        }
        for (int t = 0; t < nt; t++) {
            const int64_t* part = &parts[(size_t)(block * t)];
            for (int64_t k = 0; k < g.bins; k++) count[k] += part[k];
            const int64_t* wide = part + g.bins;
            for (int64_t s = 0; s < cells; s++) {
                sub[3 * s] += wide[4 * s + 2];
                sub[3 * s + 1] += wide[4 * s];
                sub[3 * s + 2] += wide[4 * s + 1];
            }
        }
    } else
#endif
    {
        std::vector<int64_t>& scratch = *parts_scratch;
        scratch.assign((size_t)(slots * (nt - 1)), 0);
#pragma omp parallel num_threads(nt)
        {
            const int t = omp_get_thread_num(), nteam = omp_get_num_threads();
            int64_t* own = t == 0 ? h->data() : &scratch[(size_t)(slots * (t - 1))];
            int64_t begin, end;
            share(n, nteam, t, &begin, &end);
            scatter_range<K>(g, c, begin, end, own, own + g.bins);
        }
        for (int t = 1; t < nt; t++) {
            const int64_t* part = &scratch[(size_t)(slots * (t - 1))];
            for (int64_t s = 0; s < slots; s++) (*h)[(size_t)s] += part[s];
        }
    }
    for (int64_t m = 0; m < g.bins; m++) count[m] += sub[9 * m] + sub[9 * m + 3] + sub[9 * m + 6];
}

template <int32_t K>
void gather_all(const Geometry& g, const float* c, int64_t n, int nt, const double* table, float scale,
                float* grad) {
#pragma omp parallel num_threads(nt)
    {
        int64_t begin, end;
        share(n, omp_get_num_threads(), omp_get_thread_num(), &begin, &end);
        gather_range<K>(g, c, begin, end, table, scale, grad);
    }
}

// Histograms, tables and (with grad non-null) the gather, for one kernel: one scatter serves the
// rate and the gradient.
template <int32_t K>
void run(const Geometry& g, const float* c, int64_t n, int nt, double* bits, double* probs, float scale,
         float* grad, Scratch* s) {
    std::vector<int64_t>& h = s->hist;
    scatter_all<K>(g, c, n, nt, &h, &s->parts);
    if (grad == nullptr) {
        *bits = tables_dispatch<K>(g, n, h.data(), h.data() + g.bins, probs, nullptr);
        return;
    }
    if (probs == nullptr) s->probs.assign((size_t)g.bins, 0.0);
    s->table.assign((size_t)table_slots(g), 0.0);
    double* p = probs != nullptr ? probs : s->probs.data();
    *bits = tables_dispatch<K>(g, n, h.data(), h.data() + g.bins, p, s->table.data());
    gather_all<K>(g, c, n, nt, s->table.data(), scale, grad);
}

inline void run_dispatch(int32_t kernel, const Geometry& g, const float* c, int64_t n, int nt, double* bits,
                         double* probs, float scale, float* grad, Scratch* s) {
    if (kernel == kCos) run<kCos>(g, c, n, nt, bits, probs, scale, grad, s);
    else if (kernel == kTri) run<kTri>(g, c, n, nt, bits, probs, scale, grad, s);
    else run<kLin>(g, c, n, nt, bits, probs, scale, grad, s);
}

// Range, geometry, and the run. probs null: not wanted (backward); otherwise kErrCapacity, with
// *bins_out set and nothing run, when probs_capacity < bins. grad null: no gradient.
inline int32_t run_checked(const float* c, int64_t n, int32_t kernel, int32_t resolution, double* bits_out,
                           int64_t* min_symbol_out, double* probs, int64_t probs_capacity, int64_t* bins_out,
                           float scale, float* grad, int32_t threads, int64_t* err_pos,
                           Scratch* scratch = nullptr) {
    const int nt = resolve_threads(threads, n);
    float min_c = 0, max_c = 0;
    Geometry g;
    int32_t st;
    if ((st = code_range(c, n, nt, &min_c, &max_c, err_pos)) != kOk) return st;
    if ((st = make_geometry(min_c, max_c, resolution, &g)) != kOk) return st;
    if (bins_out != nullptr) *bins_out = g.bins;
    if (min_symbol_out != nullptr) *min_symbol_out = g.kmin;
    if (probs != nullptr && probs_capacity < g.bins) return kErrCapacity;
    try {
        Scratch own;
        run_dispatch(kernel, g, c, n, nt, bits_out, probs, scale, grad, scratch != nullptr ? scratch : &own);
    } catch (const std::bad_alloc&) {
        return kErrAlloc;
    }
    return kOk;
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
    double none;  // stands in for a null probs (capacity 0), which only asks for the size
    return run_checked(c, n, kernel, resolution, bits_out, min_symbol_out, probs != nullptr ? probs : &none,
                       probs_capacity, bins_out, 0.0f, nullptr, threads, err_pos);
}

// grad[i] = scale * dR/dc_i for all n codes.
inline int32_t backward(const float* c, int64_t n, int32_t kernel, int32_t resolution, float scale,
                        float* grad, int32_t threads, int64_t* err_pos) {
    int32_t st = check_args(c, n, kernel, resolution, err_pos);
    if (st != kOk) return st;
    if (grad == nullptr) return kErrArgument;
    double bits;
    return run_checked(c, n, kernel, resolution, &bits, nullptr, nullptr, 0, nullptr, scale, grad, threads,
                       err_pos);
}

// forward and backward in one pass over the codes (one range scan, one scatter): the outputs of
// both. kErrCapacity (with *bins_out set, nothing else written) when probs_capacity < bins.
inline int32_t forward_backward(const float* c, int64_t n, int32_t kernel, int32_t resolution,
                                double* bits_out, int64_t* min_symbol_out, double* probs,
                                int64_t probs_capacity, int64_t* bins_out, float scale, float* grad,
                                int32_t threads, int64_t* err_pos) {
    int32_t st = check_args(c, n, kernel, resolution, err_pos);
    if (st != kOk) return st;
    if (bits_out == nullptr || min_symbol_out == nullptr || bins_out == nullptr || grad == nullptr ||
        probs_capacity < 0 || (probs == nullptr && probs_capacity > 0))
        return kErrArgument;
    double none;
    return run_checked(c, n, kernel, resolution, bits_out, min_symbol_out, probs != nullptr ? probs : &none,
                       probs_capacity, bins_out, scale, grad, threads, err_pos);
}

}  // namespace cpu
}  // namespace counter
}  // namespace l2c
