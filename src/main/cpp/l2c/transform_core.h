// The lossy transforms of DESIGN.md ("Unified transform"), per element: encode, symbol, decode and
// the straight-through backward pass. Shared by the CPU kernels (l2c/transform_cpu.h) and the
// CUDA kernels (src/main/cuda/transform_kernels.cuh). Header-only; no allocation, no threads.
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
//  * All per-element arithmetic is in double; inputs and outputs are float.
#pragma once
#include <math.h>
#include <stdint.h>

#include "l2c/hd.h"

namespace l2c {
namespace transform {

enum Kind : int32_t { kUniform = 0, kEdgeScale = 1, kPiecewise = 2 };

constexpr int32_t kMaxParams = 4;
// Symbols must fit int32 with room to spare; larger |c| means a degenerate step.
constexpr double kMaxCode = 1073741824.0;  // 2^30

// Status codes: 0 is success, errors are negative. Java maps them in TransformStatus.
enum Status : int32_t {
    kOk = 0,
    kErrArgument = -1,   // a size, pointer, kind or channel layout is invalid
    kErrParams = -2,     // a parameter is not finite, not > 0, or b < e (PIECEWISE)
    kErrNonFinite = -3,  // a weight is NaN or infinite (err_pos: its index)
    kErrRange = -4,      // |c| >= 2^30: the step is too small for the weight (err_pos: index)
    kErrDevice = -9,     // CUDA runtime failure
    kErrAlloc = -10,     // host allocation failed
};

L2C_HD int32_t params_per_channel(int32_t kind) {
    return kind == kUniform ? 1 : kind == kEdgeScale ? 2 : kind == kPiecewise ? 4 : 0;
}

// One channel's parameters. UNIFORM uses s1 only; EDGE_SCALE e and s1 (b = +inf).
struct Params {
    double e, s1, b, s2;
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

// Where |c| crosses from the s1 segment to the s2 segment (PIECEWISE).
L2C_HD double knee_code(const Params& p) { return 0.5 + (p.b - p.e) / p.s1; }

L2C_HD double encode(int32_t kind, const Params& p, double w) {
    if (kind == kUniform) return w / p.s1;
    const double a = fabs(w);
    if (a <= p.e) return w / (2 * p.e);
    if (a <= p.b) return sign_of(w) * (0.5 + (a - p.e) / p.s1);
    return sign_of(w) * (knee_code(p) + (a - p.b) / p.s2);
}

L2C_HD double decode(int32_t kind, const Params& p, double x) {
    if (kind == kUniform) return x * p.s1;
    const double m = fabs(x);
    if (m <= 0.5) return 2 * p.e * x;
    const double xb = knee_code(p);
    if (m <= xb) return sign_of(x) * (p.e + (m - 0.5) * p.s1);
    return sign_of(x) * (p.b + (m - xb) * p.s2);
}

// Half away from zero, on the float code as stored; the dead zone is pruned whatever c rounds to.
// Through an integer: |c| + 1/2 is exact in double for a float c (so truncation rounds right),
// and the result is never -0.0. Callers have checked |c| < 2^30.
L2C_HD double symbol(int32_t kind, const Params& p, double w, float c) {
    if (kind != kUniform && fabs(w) <= p.e) return 0.0;
    const int64_t r = (int64_t)(fabs((double)c) + 0.5);
    return (double)(c < 0 ? -r : r);
}

// Gradient of the STE output with respect to w and the channel's parameters, scaled by the
// upstream gradients: g_w = gWHat * dwHat/dw + gC * dc/dw; g_p[k] likewise for parameter k
// (in the kind's parameter order). q is the element's symbol.
L2C_HD void backward_element(int32_t kind, const Params& p, double w, double q, double g_what,
                             double g_c, double* g_w, double* g_p) {
    if (kind == kUniform) {
        const double s = p.s1;
        // D(x) = x s: D' = s, dD/ds = q; c = w / s: c' = 1/s, dc/ds = -w/s^2.
        const double dc_dw = 1 / s, dc_ds = -w / (s * s);
        const double gd = g_what * s + g_c;  // dL/dc through both paths
        *g_w = gd * dc_dw;
        g_p[0] = g_what * q + gd * dc_ds;
        return;
    }
    // c'(w) and dc/d(e, s1, b, s2) at w.
    const double a = fabs(w), sw = sign_of(w);
    double dc_dw, dc[4] = {0, 0, 0, 0};
    if (a <= p.e) {
        dc_dw = 1 / (2 * p.e);
        dc[0] = -w / (2 * p.e * p.e);
    } else if (a <= p.b) {
        dc_dw = 1 / p.s1;
        dc[0] = -sw / p.s1;
        dc[1] = -sw * (a - p.e) / (p.s1 * p.s1);
    } else {
        dc_dw = 1 / p.s2;
        dc[0] = -sw / p.s1;
        dc[1] = -sw * (p.b - p.e) / (p.s1 * p.s1);
        dc[2] = sw * (1 / p.s1 - 1 / p.s2);
        dc[3] = -sw * (a - p.b) / (p.s2 * p.s2);
    }
    // D'(q) and dD/d(e, s1, b, s2) at x = q.
    const double m = fabs(q), sq = sign_of(q);
    double dd_dx, dd[4] = {0, 0, 0, 0};
    if (m <= 0.5) {
        dd_dx = 2 * p.e;
        dd[0] = 2 * q;
    } else if (m <= knee_code(p)) {
        dd_dx = p.s1;
        dd[0] = sq;
        dd[1] = sq * (m - 0.5);
    } else {
        dd_dx = p.s2;
        dd[0] = sq * (p.s2 / p.s1);
        dd[1] = sq * p.s2 * (p.b - p.e) / (p.s1 * p.s1);
        dd[2] = sq * (1 - p.s2 / p.s1);
        dd[3] = sq * (m - knee_code(p));
    }
    const double gd = g_what * dd_dx + g_c;
    *g_w = gd * dc_dw;
    const int32_t np = params_per_channel(kind);
    for (int32_t k = 0; k < np; k++) g_p[k] = g_what * dd[k] + gd * dc[k];
}

// Parameter-gradient reduction layout shared by CPU and GPU so both sum in the same order: the
// elements are cut into blocks of block_elements (a function of n, count and P only, never of
// the thread count); each block sums its elements' contributions per channel in element order,
// then blocks are combined per channel in block order. Large blocks bound the partial sums to
// about 2^20 doubles.
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
