// One Adam step of KD reconstruction over a tensor's weights (dev.l2c.calib.Reconstruction), in
// the operations and order the Java loop used, so the weights come out with the same bits:
// doubles throughout, no contraction (-ffp-contract=off), and Java's Math.min / Math.max (NaN
// first, -0 below +0). Elements are independent, so the thread count changes nothing.
#pragma once
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <string.h>

#include "l2c/status.h"
#include "l2c/threads.h"

namespace l2c {
namespace adam {

inline bool negative_zero(double x) { return x == 0.0 && signbit(x); }

// java.lang.Math.min / max on doubles.
inline double java_min(double a, double b) {
    if (a != a) return a;
    if (a == 0.0 && b == 0.0 && negative_zero(b)) return b;
    return a <= b ? a : b;
}

inline double java_max(double a, double b) {
    if (a != a) return a;
    if (a == 0.0 && b == 0.0 && negative_zero(a)) return b;
    return a >= b ? a : b;
}

// Threads for n elements: the request, at most one per 65536 elements.
inline int step_threads(int32_t threads, int64_t n) {
    const int64_t blocks = (n + 65535) / 65536, want = requested_threads(threads);
    return (int)(want < blocks ? want : blocks > 0 ? blocks : 1);
}

// For every i with frozen[i] == 0: m, v move towards g_w[i]; w[i] steps by lr * unit * m^ /
// (sqrt(v^) + eps), unit = units[(i / inner) % count], and is clamped to anchor[i] +- unit.
// kErrNonFinite with *err_pos the first i whose gradient is not finite (the rest may be updated).
inline int32_t recon_step(float* w, const float* g_w, float* m, float* v, const float* anchor, const uint8_t* frozen,
                          int64_t n, const float* units, int32_t count, int64_t inner, double lr, double beta1,
                          double beta2, double c1, double c2, double eps, int32_t threads, int64_t* err_pos) {
    if (err_pos == nullptr) return kErrArgument;
    *err_pos = -1;
    if (n < 0 || count < 1 || inner < 1 || units == nullptr) return kErrArgument;
    if (n > 0 && (w == nullptr || g_w == nullptr || m == nullptr || v == nullptr || anchor == nullptr ||
                  frozen == nullptr))
        return kErrArgument;
    const double one_minus_beta1 = 1 - beta1, one_minus_beta2 = 1 - beta2;
    int64_t first_bad = n;
#pragma omp parallel for schedule(static) num_threads(step_threads(threads, n)) reduction(min : first_bad)
    for (int64_t i = 0; i < n; i++) {
        if (frozen[i]) continue;
        const double g = g_w[i];
        if (!(fabs(g) < INFINITY)) {
            if (i < first_bad) first_bad = i;
            continue;
        }
        m[i] = (float)(beta1 * m[i] + one_minus_beta1 * g);
        v[i] = (float)(beta2 * v[i] + one_minus_beta2 * g * g);
        const double unit = units[(i / inner) % count];
        const double update = lr * unit * (m[i] / c1) / (sqrt(v[i] / c2) + eps);
        const double a = anchor[i];
        w[i] = (float)java_max(a - unit, java_min(a + unit, w[i] - update));
    }
    if (first_bad < n) {
        *err_pos = first_bad;
        return kErrNonFinite;
    }
    return kOk;
}

}  // namespace adam
}  // namespace l2c
