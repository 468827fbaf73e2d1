// The lossy transforms of docs/DESIGN.md ("Unified transform"), per element: encode, symbol,
// decode and the straight-through backward pass. Shared by the CPU kernels (l2c/transform_cpu.h)
// and the CUDA kernels (src/main/cuda/transform_kernels.cuh). Header-only; no allocation, no
// threads.
//
// Contract (normative; dev.l2c.transform.TransformKind says the same):
//  * Kinds: 0 UNIFORM (s), 1 EDGE_SCALE (e, s), 2 PIECEWISE (e, s1, b, s2).
//  * Parameters: P per channel, stored parameter-major: params[p * count + ch].
//    Channel of element i: (i / inner) % count.
//  * encode c(w), decode D(x) are exact inverses on the reals; D is piecewise linear in x.
//  * Symbol q = round(c) half away from zero, taken on c as stored (float), except that the
//    dead zone |w| <= e always gives q = 0 (c = +-1/2 exactly at |w| = e would round away).
//  * Backward (straight-through): wHat = D(c + stopgrad(q - c); theta), so
//      dwHat/dw     = D'(q) * c'(w)
//      dwHat/dtheta = dD/dtheta (x = q) + D'(q) * dc/dtheta (w)
//    and an extra gradient gC on c adds gC * dc/dw and gC * dc/dtheta.
//  * All per-element arithmetic is in double; inputs and outputs are float. The element math
//    multiplies by per-channel reciprocals (1/(2e), 1/s1, 1/s2) computed once in load_params.
#pragma once
#include <math.h>
#include <stdint.h>

#include "l2c/hd.h"
#include "l2c/status.h"

// The element math is written as selects between values computed unconditionally; with
// -ftrapping-math GCC may sink a multiply into a branch and then refuse to if-convert it, which
// stops the CPU loops from vectorizing. Not trapping on FP exceptions changes no value. (nvcc
// builds get -fno-trapping-math from their command line where they compile CPU loops.)
#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#pragma GCC push_options
#pragma GCC optimize("no-trapping-math")
#endif

namespace l2c {
namespace transform {

enum Kind : int32_t { kUniform = 0, kEdgeScale = 1, kPiecewise = 2 };

constexpr int32_t kMaxParams = 4;
// Symbols must fit int32 with room to spare; larger |c| means a degenerate step.
constexpr double kMaxCode = 1073741824.0;  // 2^30

L2C_HD int32_t params_per_channel(int32_t kind) {
    return kind == kUniform ? 1 : kind == kEdgeScale ? 2 : kind == kPiecewise ? 4 : 0;
}

// One channel's parameters and the constants derived from them. UNIFORM uses s1 only; EDGE_SCALE
// e and s1 (b = +inf). The element math multiplies by the reciprocals instead of dividing.
struct Params {
    double e, s1, b, s2;
    double inv_2e;  // 1 / (2e)
    double inv_s1;  // 1 / s1
    double inv_s2;  // 1 / s2
    double knee;    // 0.5 + (b - e) / s1: where |c| crosses from the s1 to the s2 segment
};

L2C_HD Params load_params(int32_t kind, const float* params, int32_t count, int64_t ch) {
    Params p;
    p.e = 0;
    p.b = INFINITY;
    p.s2 = 1;
    if (kind == kUniform) {
        p.s1 = params[ch];
    } else {
        p.e = params[ch];
        p.s1 = params[count + ch];
        if (kind == kPiecewise) {
            p.b = params[2 * count + ch];
            p.s2 = params[3 * count + ch];
        }
    }
    p.inv_2e = 1 / (2 * p.e);
    p.inv_s1 = 1 / p.s1;
    p.inv_s2 = 1 / p.s2;
    p.knee = 0.5 + (p.b - p.e) * p.inv_s1;
    return p;
}

L2C_HD bool positive_finite(double v) { return v > 0 && v < INFINITY; }

L2C_HD bool params_valid(int32_t kind, const Params& p) {
    if (!positive_finite(p.s1)) return false;
    if (kind == kUniform) return true;
    if (!positive_finite(p.e)) return false;
    if (kind == kEdgeScale) return true;
    return positive_finite(p.b) && positive_finite(p.s2) && p.b >= p.e;
}

L2C_HD double sign_of(double v) { return v < 0 ? -1.0 : 1.0; }

// The element functions come in a compile-time kind K (the CPU loops, which vectorize: every
// branch is a select between values computed unconditionally) and a run-time kind (the GPU
// kernels and callers that dispatch per call); both run the same operations.

template <int32_t K>
L2C_HD double encode_k(const Params& p, double w) {
    if (K == kUniform) return w * p.inv_s1;
    const double a = fabs(w), sw = sign_of(w);
    const double dead = w * p.inv_2e;
    const double mid = sw * (0.5 + (a - p.e) * p.inv_s1);
    if (K == kEdgeScale) return a <= p.e ? dead : mid;
    const double top = sw * (p.knee + (a - p.b) * p.inv_s2);
    return a <= p.e ? dead : (a <= p.b ? mid : top);
}

template <int32_t K>
L2C_HD double decode_k(const Params& p, double x) {
    if (K == kUniform) return x * p.s1;
    const double m = fabs(x), sx = sign_of(x);
    const double dead = 2 * p.e * x;
    const double mid = sx * (p.e + (m - 0.5) * p.s1);
    if (K == kEdgeScale) return m <= 0.5 ? dead : mid;
    const double top = sx * (p.b + (m - p.knee) * p.s2);
    return m <= 0.5 ? dead : (m <= p.knee ? mid : top);
}

// Half away from zero, on the float code as stored; the dead zone is pruned whatever c rounds to.
// Through an integer: |c| + 1/2 is exact in double for a float c (so truncation rounds right),
// and the result is never -0.0. |c| >= 2^30 (an error the callers report) gives 0.
template <int32_t K>
L2C_HD double symbol_k(const Params& p, double w, float c) {
    const double ac = fabs((double)c);
    int32_t r = (int32_t)((ac < kMaxCode ? ac : 0.0) + 0.5);  // below 2^30 + 1: fits int32
    if (K != kUniform) r *= (int32_t)!(fabs(w) <= p.e);      // the dead zone, branch-free
    return (double)(c < 0 ? -r : r);
}

// Gradient of the STE output with respect to w and the channel's parameters, scaled by the
// upstream gradients: g_w = gWHat * dwHat/dw + gC * dc/dw; g_p[k] likewise for parameter k
// (in the kind's parameter order). q is the element's symbol.
template <int32_t K>
L2C_HD void backward_k(const Params& p, double w, double q, double g_what, double g_c, double* g_w, double* g_p) {
    if (K == kUniform) {
        // D(x) = x s: D' = s, dD/ds = q; c = w / s: c' = 1/s, dc/ds = -w/s^2.
        const double dc_dw = p.inv_s1, dc_ds = -w * p.inv_s1 * p.inv_s1;
        const double gd = g_what * p.s1 + g_c;  // dL/dc through both paths
        *g_w = gd * dc_dw;
        g_p[0] = g_what * q + gd * dc_ds;
        return;
    }
    // c'(w) and dc/d(e, s1, b, s2) at w: dead zone (a <= e), s1 segment, s2 segment (a > b).
    const double a = fabs(w), sw = sign_of(w);
    const bool dead = a <= p.e, top = K == kPiecewise && a > p.b;
    const double inv_s1_sq = p.inv_s1 * p.inv_s1;
    const double dc_dw = dead ? p.inv_2e : (top ? p.inv_s2 : p.inv_s1);
    const double dc0 = dead ? -2 * w * p.inv_2e * p.inv_2e : -sw * p.inv_s1;
    const double dc1 = dead ? 0.0 : -sw * ((top ? p.b : a) - p.e) * inv_s1_sq;
    // D'(q) and dD/d(e, s1, b, s2) at x = q: zero, s1 segment, s2 segment (|q| > knee).
    const double m = fabs(q), sq = sign_of(q);
    const bool zero = m <= 0.5, high = K == kPiecewise && m > p.knee;
    const double dd_dx = zero ? 2 * p.e : (high ? p.s2 : p.s1);
    const double dd0 = zero ? 2 * q : (high ? sq * (p.s2 * p.inv_s1) : sq);
    const double dd1 = zero ? 0.0 : (high ? sq * p.s2 * (p.b - p.e) * inv_s1_sq : sq * (m - 0.5));
    const double gd = g_what * dd_dx + g_c;
    *g_w = gd * dc_dw;
    g_p[0] = g_what * dd0 + gd * dc0;
    g_p[1] = g_what * dd1 + gd * dc1;
    if (K == kPiecewise) {
        const double dc2 = top ? sw * (p.inv_s1 - p.inv_s2) : 0.0;
        const double dc3 = top ? -sw * (a - p.b) * p.inv_s2 * p.inv_s2 : 0.0;
        const double dd2 = high ? sq * (1 - p.s2 * p.inv_s1) : 0.0;
        const double dd3 = high ? sq * (m - p.knee) : 0.0;
        g_p[2] = g_what * dd2 + gd * dc2;
        g_p[3] = g_what * dd3 + gd * dc3;
    }
}

L2C_HD double encode(int32_t kind, const Params& p, double w) {
    return kind == kUniform ? encode_k<kUniform>(p, w)
                            : kind == kEdgeScale ? encode_k<kEdgeScale>(p, w) : encode_k<kPiecewise>(p, w);
}

L2C_HD double decode(int32_t kind, const Params& p, double x) {
    return kind == kUniform ? decode_k<kUniform>(p, x)
                            : kind == kEdgeScale ? decode_k<kEdgeScale>(p, x) : decode_k<kPiecewise>(p, x);
}

L2C_HD double symbol(int32_t kind, const Params& p, double w, float c) {
    return kind == kUniform ? symbol_k<kUniform>(p, w, c)
                            : kind == kEdgeScale ? symbol_k<kEdgeScale>(p, w, c) : symbol_k<kPiecewise>(p, w, c);
}

L2C_HD void backward_element(int32_t kind, const Params& p, double w, double q, double g_what, double g_c,
                             double* g_w, double* g_p) {
    if (kind == kUniform) backward_k<kUniform>(p, w, q, g_what, g_c, g_w, g_p);
    else if (kind == kEdgeScale) backward_k<kEdgeScale>(p, w, q, g_what, g_c, g_w, g_p);
    else backward_k<kPiecewise>(p, w, q, g_what, g_c, g_w, g_p);
}

// Parameter-gradient reduction layout shared by CPU and GPU so both sum in the same order: the
// elements are cut into blocks of block_elements (a function of n, count and P only, never of
// the thread count). Within a block, each segment (the block's part of one run of `inner`
// elements, which share a channel) sums its elements' contributions in kSumLanes interleaved
// lanes (the element at offset j of the segment into lane j % kSumLanes, in element order) and
// combines them with reduce_lanes; segments add to the block's per-channel sum in element order;
// blocks are combined per channel in block order. Large blocks bound the partial sums to about
// 2^20 doubles.
constexpr int32_t kSumLanes = 8;

L2C_HD double reduce_lanes(const double* l) { return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7])); }

inline int64_t reduction_block(int64_t n, int32_t count, int32_t np) {
    const int64_t base = 32768;
    const int64_t per_block = (int64_t)count * np;
    int64_t blocks_allowed = ((int64_t)1 << 20) / (per_block > 0 ? per_block : 1);
    if (blocks_allowed < 1) blocks_allowed = 1;
    int64_t need = (n + blocks_allowed - 1) / blocks_allowed;
    return need > base ? need : base;
}

}  // namespace transform
}  // namespace l2c

#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#pragma GCC pop_options
#endif
