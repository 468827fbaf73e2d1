// CPU transform kernels over OpenMP threads, the math of l2c/transform_core.h. Every entry point
// validates its inputs and returns kOk or a negative Status; none throws.
//
// Buffers are caller-owned host memory: w, c, wHat, gWHat, gC, gW hold n floats, q n int32,
// params and gParams P * count floats (parameter-major). Optional outputs/inputs may be null.
// err_pos (1 int64) receives the index of the first bad element on kErrNonFinite / kErrCodeRange.
// `threads <= 0` means all available. Results never depend on the thread count, nor on the SIMD
// level (one exception: which NaN a parameter-gradient sum returns when the incoming gradients
// mix NaN and infinities, which follows the compiler's operand order). On an error status the
// outputs are unspecified.
//
// Speed: the loops are instantiated per kind (so the element math's selects fold) and per SIMD
// level (l2c/simd.h), and vectorize: elements go in chunks of kChunk inside one channel run,
// absent optional buffers are replaced by chunk scratch instead of a test per element, bad
// elements only raise a flag (a flagged block is rescanned for the first one), and parameter
// gradients are summed in kSumLanes lanes per segment (the reduction layout of
// l2c/transform_core.h). The AVX2 level has its own loops written with intrinsics (below).
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
// --- AVX2: the element math four doubles wide, written out -----------------------------------
// GCC vectorizes forward_body / backward_body at the AVX2 level, but through int32 symbols and
// 64 -> 32 bit mask packing, with many more operations than the math needs (the loops are bound
// by conversion / add port throughput and by long dependency chains per element). These mirror encode_k, symbol_k, decode_k and backward_k with
// intrinsics, the same IEEE operation for each of the scalar code's where it rounds: the same
// bits. Rewrites that are exact on kOk paths:
//  * the int32 cast of t + 1/2 is a truncation in double (t < 2^30);
//  * a multiply by sign_of(v) = +-1 is an xor of v's sign bit, where the product is used: the
//    value multiplied is finite there, and v is not -0 (w is outside the dead zone, q != 0);
//  * 2 e q and 2 q are +0 where the symbol is 0 (q is never -0): a masked select;
//  * the bad-element flag tests the float code, |(float)c| < 2^30, instead of |w| < inf and
//    |c| < 2^30: a bad element always raises it (non-finite w gives non-finite c; rounding to
//    float is monotone and 2^30 is a float), and a flag raised by c rounding up to 2^30 only
//    costs first_bad's rescan, which uses check_element;
//  * the sign of q is taken from w (the code has w's sign off the dead zone; q = 0 elsewhere).

#define L2C_TF_AVX2 __attribute__((always_inline, target("avx2,fma,bmi,bmi2,popcnt"))) inline

// One channel's constants, broadcast.
struct Params4 {
    __m256d e, s1, b, s2, inv_2e, inv_s1, inv_s2, knee;
    __m256d neg_inv_s1;  // -1/s1: dc0 off the dead zone is (-sw) / s1
    __m256d inv_s1_sq;   // inv_s1 * inv_s1, as backward_k forms it
    __m256d two_e;       // 2e: D'(0)
    __m256d s2_s1;       // s2 * inv_s1
    __m256d hi_dd1;      // s2 * (b - e) * inv_s1_sq without its sign
    __m256d d_inv;       // inv_s1 - inv_s2
    __m256d one_s2_s1;   // 1 - s2 * inv_s1
};

L2C_TF_AVX2 Params4 params4(const Params& p) {
    const double inv_s1_sq = p.inv_s1 * p.inv_s1;
    return {_mm256_set1_pd(p.e),
            _mm256_set1_pd(p.s1),
            _mm256_set1_pd(p.b),
            _mm256_set1_pd(p.s2),
            _mm256_set1_pd(p.inv_2e),
            _mm256_set1_pd(p.inv_s1),
            _mm256_set1_pd(p.inv_s2),
            _mm256_set1_pd(p.knee),
            _mm256_set1_pd(-p.inv_s1),
            _mm256_set1_pd(inv_s1_sq),
            _mm256_set1_pd(2 * p.e),
            _mm256_set1_pd(p.s2 * p.inv_s1),
            _mm256_set1_pd(p.s2 * (p.b - p.e) * inv_s1_sq),
            _mm256_set1_pd(p.inv_s1 - p.inv_s2),
            _mm256_set1_pd(1 - p.s2 * p.inv_s1)};
}

L2C_TF_AVX2 __m256d abs4(__m256d v) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), v); }

// What one element's forward computes up to the symbol, four wide.
struct Code4 {
    __m256d w, a, w_neg;  // weight, |w|, sign bit of w (that of sign_of(w) for w != 0)
    __m256d dead;         // |w| <= e (mask; unused for UNIFORM)
    __m256d r;            // |q|
    __m256d q_neg;        // sign bit of q where q != 0 (that of w)
    __m256d ok;           // |(float)c| < 2^30 (mask): clear for every bad element
};

// The weight side of an element: w, |w|, its sign and the dead zone.
template <int32_t K>
L2C_TF_AVX2 Code4 weight4(const Params4& p, __m128 wf) {
    Code4 o;
    o.w = _mm256_cvtps_pd(wf);
    o.a = abs4(o.w);
    o.w_neg = _mm256_and_pd(o.w, _mm256_set1_pd(-0.0));
    o.dead = K == kUniform ? _mm256_setzero_pd() : _mm256_cmp_pd(o.a, p.e, _CMP_LE_OQ);
    return o;
}

// encode_k, the float rounding of c and symbol_k: sets o->r and o->ok; the float code to *cf_out.
// The code has w's sign (its magnitude is positive off the dead zone), so q's sign is w's where
// q != 0: q_neg = w_neg.
template <int32_t K>
L2C_TF_AVX2 void symbol4(const Params4& p, Code4* o, __m128* cf_out) {
    const __m256d half = _mm256_set1_pd(0.5), max_code = _mm256_set1_pd(kMaxCode);
    __m256d c;
    if (K == kUniform) {
        c = _mm256_mul_pd(o->w, p.inv_s1);
    } else {
        const __m256d dead_c = _mm256_mul_pd(o->w, p.inv_2e);
        const __m256d mid =
            _mm256_xor_pd(_mm256_add_pd(half, _mm256_mul_pd(_mm256_sub_pd(o->a, p.e), p.inv_s1)), o->w_neg);
        if (K == kEdgeScale) {
            c = _mm256_blendv_pd(mid, dead_c, o->dead);
        } else {
            const __m256d top =
                _mm256_xor_pd(_mm256_add_pd(p.knee, _mm256_mul_pd(_mm256_sub_pd(o->a, p.b), p.inv_s2)), o->w_neg);
            c = _mm256_blendv_pd(_mm256_blendv_pd(top, mid, _mm256_cmp_pd(o->a, p.b, _CMP_LE_OQ)), dead_c, o->dead);
        }
    }
    const __m128 cf = _mm256_cvtpd_ps(c);
    *cf_out = cf;
    const __m256d ac = abs4(_mm256_cvtps_pd(cf));
    o->ok = _mm256_cmp_pd(ac, max_code, _CMP_LT_OQ);
    const __m256d t = _mm256_and_pd(ac, o->ok);  // ac < 2^30 ? ac : 0
    __m256d r = _mm256_round_pd(_mm256_add_pd(t, half), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    if (K != kUniform) r = _mm256_andnot_pd(o->dead, r);
    o->r = r;
    o->q_neg = o->w_neg;
}

template <int32_t K>
L2C_TF_AVX2 Code4 code4(const Params4& p, __m128 wf, __m128* cf_out) {
    Code4 o = weight4<K>(p, wf);
    symbol4<K>(p, &o, cf_out);
    return o;
}

// The symbol with its sign; +0 where it is 0 (as symbol_k: -0 + +0 = +0).
L2C_TF_AVX2 __m256d signed_symbol4(const Code4& o) {
    return _mm256_add_pd(_mm256_xor_pd(o.r, o.q_neg), _mm256_setzero_pd());
}
// The symbol as int32 (the conversion turns -0 into 0).
L2C_TF_AVX2 __m128i int_symbol4(const Code4& o) { return _mm256_cvttpd_epi32(_mm256_xor_pd(o.r, o.q_neg)); }

// decode_k at x = q.
template <int32_t K>
L2C_TF_AVX2 __m256d decode4(const Params4& p, const Code4& o) {
    if (K == kUniform) return _mm256_mul_pd(signed_symbol4(o), p.s1);
    const __m256d half = _mm256_set1_pd(0.5);
    __m256d v = _mm256_xor_pd(_mm256_add_pd(p.e, _mm256_mul_pd(_mm256_sub_pd(o.r, half), p.s1)), o.q_neg);
    if (K == kPiecewise) {
        const __m256d top =
            _mm256_xor_pd(_mm256_add_pd(p.b, _mm256_mul_pd(_mm256_sub_pd(o.r, p.knee), p.s2)), o.q_neg);
        v = _mm256_blendv_pd(top, v, _mm256_cmp_pd(o.r, p.knee, _CMP_LE_OQ));
    }
    return _mm256_andnot_pd(_mm256_cmp_pd(o.r, half, _CMP_LE_OQ), v);  // 2 e q = +0 at q = 0
}

// backward_k: g_w and the parameter contributions gp[0, P).
template <int32_t K>
L2C_TF_AVX2 void backward4(const Params4& p, const Code4& o, __m256d g_what, __m256d g_c, __m256d* g_w,
                           __m256d* gp) {
    const __m256d sign = _mm256_set1_pd(-0.0), half = _mm256_set1_pd(0.5), one = _mm256_set1_pd(1.0);
    if (K == kUniform) {
        const __m256d dc_ds = _mm256_mul_pd(_mm256_mul_pd(_mm256_xor_pd(o.w, sign), p.inv_s1), p.inv_s1);
        const __m256d gd = _mm256_add_pd(_mm256_mul_pd(g_what, p.s1), g_c);
        *g_w = _mm256_mul_pd(gd, p.inv_s1);
        gp[0] = _mm256_add_pd(_mm256_mul_pd(g_what, signed_symbol4(o)), _mm256_mul_pd(gd, dc_ds));
        return;
    }
    const __m256d neg_w_bit = _mm256_xor_pd(o.w_neg, sign);  // sign bit of -sign_of(w)
    const __m256d top = K == kPiecewise ? _mm256_cmp_pd(o.a, p.b, _CMP_GT_OQ) : _mm256_setzero_pd();
    __m256d dc_dw = K == kPiecewise ? _mm256_blendv_pd(p.inv_s1, p.inv_s2, top) : p.inv_s1;
    dc_dw = _mm256_blendv_pd(dc_dw, p.inv_2e, o.dead);
    const __m256d dc0_dead = _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(_mm256_set1_pd(-2.0), o.w), p.inv_2e), p.inv_2e);
    const __m256d dc0 = _mm256_blendv_pd(_mm256_xor_pd(p.neg_inv_s1, o.w_neg), dc0_dead, o.dead);
    const __m256d a_top = K == kPiecewise ? _mm256_blendv_pd(o.a, p.b, top) : o.a;
    const __m256d dc1 =
        _mm256_andnot_pd(o.dead, _mm256_xor_pd(_mm256_mul_pd(_mm256_sub_pd(a_top, p.e), p.inv_s1_sq), neg_w_bit));
    // At x = q: zero (|q| <= 1/2), s1 segment, s2 segment (high, |q| > knee).
    const __m256d zero = _mm256_cmp_pd(o.r, half, _CMP_LE_OQ);
    const __m256d high = K == kPiecewise ? _mm256_cmp_pd(o.r, p.knee, _CMP_GT_OQ) : _mm256_setzero_pd();
    __m256d dd_dx = K == kPiecewise ? _mm256_blendv_pd(p.s1, p.s2, high) : p.s1;
    dd_dx = _mm256_blendv_pd(dd_dx, p.two_e, zero);
    __m256d dd0 = K == kPiecewise ? _mm256_blendv_pd(one, p.s2_s1, high) : one;
    dd0 = _mm256_andnot_pd(zero, _mm256_xor_pd(dd0, o.q_neg));
    __m256d dd1 = _mm256_sub_pd(o.r, half);
    if (K == kPiecewise) dd1 = _mm256_blendv_pd(dd1, p.hi_dd1, high);
    dd1 = _mm256_andnot_pd(zero, _mm256_xor_pd(dd1, o.q_neg));
    const __m256d gd = _mm256_add_pd(_mm256_mul_pd(g_what, dd_dx), g_c);
    *g_w = _mm256_mul_pd(gd, dc_dw);
    gp[0] = _mm256_add_pd(_mm256_mul_pd(g_what, dd0), _mm256_mul_pd(gd, dc0));
    gp[1] = _mm256_add_pd(_mm256_mul_pd(g_what, dd1), _mm256_mul_pd(gd, dc1));
    if (K == kPiecewise) {
        const __m256d dc2 = _mm256_and_pd(top, _mm256_xor_pd(p.d_inv, o.w_neg));
        const __m256d dc3 = _mm256_and_pd(
            top, _mm256_xor_pd(_mm256_mul_pd(_mm256_mul_pd(_mm256_sub_pd(o.a, p.b), p.inv_s2), p.inv_s2), neg_w_bit));
        const __m256d dd2 = _mm256_and_pd(high, _mm256_xor_pd(p.one_s2_s1, o.q_neg));
        const __m256d dd3 = _mm256_and_pd(high, _mm256_xor_pd(_mm256_sub_pd(o.r, p.knee), o.q_neg));
        gp[2] = _mm256_add_pd(_mm256_mul_pd(g_what, dd2), _mm256_mul_pd(gd, dc2));
        gp[3] = _mm256_add_pd(_mm256_mul_pd(g_what, dd3), _mm256_mul_pd(gd, dc3));
    }
}

// One element of forward_body (the tails of runs shorter than a vector step).
template <int32_t K>
L2C_ALWAYS_INLINE int32_t forward_element(const Params& p, float w_in, float* c, int32_t* q, float* what) {
    const double wk = w_in;
    const double ck = encode_k<K>(p, wk);
    const float cf = (float)ck;
    const double qk = symbol_k<K>(p, wk, cf);
    *c = cf;
    *q = (int32_t)qk;
    *what = (float)decode_k<K>(p, qk);
    return element_bad(wk, ck);
}

template <int32_t K>
L2C_TARGET_AVX2 bool forward_avx2(const float* w, int64_t begin, int64_t end, int32_t count, int64_t inner,
                                  const float* params, float* c, int32_t* q, float* what) {
    alignas(32) double r_buf[kChunk];
    __m256d ok = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
    int32_t bad = 0;
    for (int64_t i = begin; i < end;) {
        const int64_t run = i / inner;
        const int64_t run_end = (run + 1) * inner < end ? (run + 1) * inner : end;
        const Params p = load_params(K, params, count, run % count);
        const Params4 p4 = params4(p);
        int64_t j = i;
        // Chunks in two passes, as in backward_avx2: codes and symbols, then the outputs.
        while (run_end - j >= 4) {
            const int64_t len = (run_end - j < kChunk ? run_end - j : kChunk) & ~(int64_t)3;
            for (int64_t k = 0; k < len; k += 4) {
                __m128 cf;
                const Code4 o = code4<K>(p4, _mm_loadu_ps(w + j + k), &cf);
                ok = _mm256_and_pd(ok, o.ok);
                if (c != nullptr) _mm_storeu_ps(c + j + k, cf);
                _mm256_store_pd(r_buf + k, _mm256_xor_pd(o.r, o.q_neg));  // q, or -0 for 0
            }
            if (q != nullptr || what != nullptr) {
                for (int64_t k = 0; k < len; k += 4) {
                    const __m256d qs = _mm256_load_pd(r_buf + k);
                    Code4 o;
                    o.r = abs4(qs);
                    o.q_neg = _mm256_and_pd(qs, _mm256_set1_pd(-0.0));
                    if (q != nullptr) _mm_storeu_si128((__m128i*)(q + j + k), int_symbol4(o));
                    if (what != nullptr) _mm_storeu_ps(what + j + k, _mm256_cvtpd_ps(decode4<K>(p4, o)));
                }
            }
            j += len;
        }
        for (; j < run_end; j++) {
            float cs, ws;
            int32_t qs;
            bad |= forward_element<K>(p, w[j], &cs, &qs, &ws);
            if (c != nullptr) c[j] = cs;
            if (q != nullptr) q[j] = qs;
            if (what != nullptr) what[j] = ws;
        }
        i = run_end;
    }
    return bad != 0 || _mm256_movemask_pd(ok) != 0xF;
}

template <int32_t K>
L2C_TARGET_AVX2 bool backward_avx2(const float* w, int64_t begin, int64_t end, int32_t count, int64_t inner,
                                   const float* params, const float* g_what, const float* g_c, double g_c_scale,
                                   float* g_w, double* acc) {
    constexpr int32_t np = params_of<K>();
    alignas(32) double r_buf[kChunk];
    const __m256d scale = _mm256_set1_pd(g_c_scale);
    __m256d ok = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
    int32_t bad = 0;
    for (int64_t i = begin; i < end;) {
        const int64_t run = i / inner;
        const int64_t run_end = (run + 1) * inner < end ? (run + 1) * inner : end;
        const int64_t ch = run % count;
        const Params p = load_params(K, params, count, ch);
        const Params4 p4 = params4(p);
        // Lanes 0-3 and 4-7 of the segment's kSumLanes lanes, per parameter.
        __m256d lo[np], hi[np];
        for (int32_t t = 0; t < np; t++) lo[t] = hi[t] = _mm256_setzero_pd();
        int64_t j = i;
        // Chunks of whole 8-element steps in two passes: the symbols (|q|) into r_buf, then the
        // gradients, eight elements a step as two halves (lanes 0-3, then 4-7). Shorter
        // dependency chains per pass let more elements overlap.
        while (run_end - j >= 8) {
            const int64_t len = (run_end - j < kChunk ? run_end - j : kChunk) & ~(int64_t)7;
            for (int64_t k = 0; k < len; k += 4) {
                __m128 cf;
                const Code4 o = code4<K>(p4, _mm_loadu_ps(w + j + k), &cf);
                ok = _mm256_and_pd(ok, o.ok);
                _mm256_store_pd(r_buf + k, o.r);
            }
            for (int64_t k = 0; k < len; k += 8) {
                for (int32_t h = 0; h < 2; h++) {
                    const int64_t jh = j + k + 4 * h;
                    Code4 o = weight4<K>(p4, _mm_loadu_ps(w + jh));
                    o.r = _mm256_load_pd(r_buf + k + 4 * h);
                    o.q_neg = o.w_neg;
                    const __m256d gh =
                        g_what != nullptr ? _mm256_cvtps_pd(_mm_loadu_ps(g_what + jh)) : _mm256_setzero_pd();
                    const __m256d gc = _mm256_mul_pd(
                        scale, g_c != nullptr ? _mm256_cvtps_pd(_mm_loadu_ps(g_c + jh)) : _mm256_setzero_pd());
                    __m256d gw, gp[kMaxParams];
                    backward4<K>(p4, o, gh, gc, &gw, gp);
                    if (g_w != nullptr) _mm_storeu_ps(g_w + jh, _mm256_cvtpd_ps(gw));
                    for (int32_t t = 0; t < np; t++) {
                        if (h == 0) lo[t] = _mm256_add_pd(lo[t], gp[t]);
                        else hi[t] = _mm256_add_pd(hi[t], gp[t]);
                    }
                }
            }
            j += len;
        }
        // The tail (under 8 elements) starts at a multiple of kSumLanes into the segment.
        double lanes[np][kSumLanes];
        for (int32_t t = 0; t < np; t++) {
            _mm256_storeu_pd(lanes[t], lo[t]);
            _mm256_storeu_pd(lanes[t] + 4, hi[t]);
        }
        for (int32_t l = 0; j < run_end; j++, l++) {
            const double wk = w[j];
            const double ck = encode_k<K>(p, wk);
            bad |= element_bad(wk, ck);
            const double qk = symbol_k<K>(p, wk, (float)ck);
            double gw, gp[kMaxParams];
            backward_k<K>(p, wk, qk, g_what != nullptr ? (double)g_what[j] : 0.0,
                          g_c_scale * (g_c != nullptr ? (double)g_c[j] : 0.0), &gw, gp);
            if (g_w != nullptr) g_w[j] = (float)gw;
            for (int32_t t = 0; t < np; t++) lanes[t][l] += gp[t];
        }
        if (acc != nullptr)
            for (int32_t t = 0; t < np; t++) acc[ch * np + t] += reduce_lanes(lanes[t]);
        i = run_end;
    }
    return bad != 0 || _mm256_movemask_pd(ok) != 0xF;
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
                             int32_t threads, int64_t* err_pos, std::vector<double>* scratch = nullptr) {
    constexpr int32_t np = params_of<K>();
    const int64_t block = reduction_block(n, count, np);
    const int64_t blocks = (n + block - 1) / block;
    const BackwardFn<K> run = backward_fn<K>();
    FirstError first;
    try {
        // partial[(blk * count + ch) * np + k]: block blk's sum for parameter k of channel ch.
        // A context's scratch keeps its capacity from call to call (no fresh pages per step).
        std::vector<double> own;
        std::vector<double>& partial = scratch != nullptr ? *scratch : own;
        partial.assign(g_params != nullptr ? (size_t)(blocks * count * np) : 0, 0.0);
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
                        float* g_params, int32_t threads, int64_t* err_pos, std::vector<double>* scratch = nullptr) {
    int32_t st = check_layout(kind, n, count, inner, w, params, err_pos);
    if (st != kOk) return st;
    if (!(fabs(g_c_scale) < INFINITY)) return kErrArgument;
    switch (kind) {
        case kUniform:
            return backward_kind<kUniform>(w, n, count, inner, params, g_what, g_c, g_c_scale, g_w, g_params, threads,
                                           err_pos, scratch);
        case kEdgeScale:
            return backward_kind<kEdgeScale>(w, n, count, inner, params, g_what, g_c, g_c_scale, g_w, g_params,
                                             threads, err_pos, scratch);
        default:
            return backward_kind<kPiecewise>(w, n, count, inner, params, g_what, g_c, g_c_scale, g_w, g_params,
                                             threads, err_pos, scratch);
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
