// The differentiable counter of docs/DESIGN.md ("Differentiable counter"): kernel CDFs, the cell
// geometry, the per-element scatter and gather, and the table stage that turns the integer
// histograms into the rate, p(k) and the gradient coefficients. Shared by the CPU kernels
// (l2c/counter_cpu.h) and the CUDA kernels (src/main/cuda/counter_kernels.cuh).
//
// Method (exact over all N codes, O(N + bins * delta)):
//  * q_i = round(c_i), half away from zero; bins k = kmin .. kmax (kmin = round(min c)), so
//    `bins` = kmax - kmin + 1 and the boundaries x_b = kmin - 1/2 + b, b = 0 .. bins.
//  * delta = (max c - min c) / resolution, no gradient; when max c == min c the spread is 0 and
//    delta = 1 stands in, so the kernel still has a width.
//  * F(x_b) = sum_j K((x_b - c_j) / delta). K is 0 for u <= -1 and 1 for u >= 1.
//  * Sub-cells: with t = c - x_0, the unit cell [m, m + 1) splits at the fractional positions
//    r and 1 - r (r = frac(delta)) into three sub-cells; every code in one sub-cell has the same
//    boundaries strictly within +-delta. Within a sub-cell starting at a, K and K' at a boundary
//    are a fixed linear combination of two features of the offset o = t - a: cos(beta o) and
//    sin(beta o) for COS (beta = pi / (2 delta); the angle-difference formulas), o and o^2 for
//    TRI, o for LIN. So the scatter adds, per element, a count and its two features to its
//    sub-cell (O(1) per element), and the table stage expands the sub-cell sums onto the about
//    2 delta boundaries of each sub-cell (O(bins * delta)). The gather is O(1) per element too:
//    dR/dc_j = G0_s + G1_s f1(o_j) + G2_s f2(o_j) + query[q_j], with G per sub-cell (G0_s +
//    query[q_j] in one table entry, see table_slots).
//  * Accumulation is in integers so that any summation order (threads, GPU atomics) gives the
//    same bits: counts, and the features (all in [0, 1]) in fixed point with 32 fractional bits
//    (error <= 2^-33 per term; N < 2^31 keeps sums in int64).
//  * p(k) = (F(k + 1/2) - F(k - 1/2)) / N, R = -sum_k n_k log2 p(k).
//  * Backward, with A_b = dR/dF(x_b) = -(1/ln2) (n_{k}/(N p(k)) - n_{k+1}/(N p(k+1))) for the bins
//    k, k+1 below and above x_b, and f(x) = dF/dx = sum_i K'((x - c_i)/delta) / delta:
//      dR/dc_j = sum_{|x_b - c_j| < delta} A_b * (-K'((x_b - c_j)/delta) / delta)   (kernel path)
//              - (1/ln2) (f(q_j + 1/2) - f(q_j - 1/2)) / (N p(q_j))                  (query path,
//                straight-through: dq_j/dc_j = 1)
#pragma once
#include <math.h>
#include <stdint.h>

#include <vector>

#include "l2c/hd.h"
#include "l2c/status.h"

namespace l2c {
namespace counter {

enum Kernel : int32_t { kCos = 0, kTri = 1, kLin = 2 };


constexpr int64_t kMaxBins = (int64_t)1 << 20;
constexpr int64_t kMaxElements = ((int64_t)1 << 31) - 1;
constexpr double kFixedOne = 4294967296.0;  // 2^32
constexpr double kHalfPi = 1.57079632679489661923;
constexpr double kQuarterPi = 0.78539816339744830962;
constexpr double kInvLn2 = 1.44269504088896340736;
// p(k) of a bin that holds a code is positive in exact arithmetic; the floor only keeps rounding
// from turning it into log(0).
constexpr double kMinProb = 1e-300;

L2C_HD bool valid_kernel(int32_t k) { return k == kCos || k == kTri || k == kLin; }

// sin and cos on [-pi/2, pi/2] by their Taylor series to the 17th/18th power (error < 5e-14),
// so CPU and GPU evaluate the same polynomial instead of two different libm's. Horner steps are
// fused multiply-adds: one rounding each, the same on every CPU path (hardware or libm fma) and
// on the GPU, at half the operations of a multiply and an add. The coefficients (highest power
// first, in z = x^2) are shared with the CPU's hand-vectorized loops (counter_cpu.h), which run
// the same steps on four values at once.
constexpr int kSinTerms = 9, kCosTerms = 10;

L2C_HD constexpr double sin_coef(int i) {
    return i == 0 ? 1.0 / 355687428096000.0  // 1/17!
           : i == 1 ? -1.0 / 1307674368000.0
           : i == 2 ? 1.0 / 6227020800.0
           : i == 3 ? -1.0 / 39916800.0
           : i == 4 ? 1.0 / 362880.0
           : i == 5 ? -1.0 / 5040.0
           : i == 6 ? 1.0 / 120.0
           : i == 7 ? -1.0 / 6.0
                    : 1.0;
}

L2C_HD constexpr double cos_coef(int i) {
    return i == 0 ? -1.0 / 6402373705728000.0  // -1/18!
           : i == 1 ? 1.0 / 20922789888000.0
           : i == 2 ? -1.0 / 87178291200.0
           : i == 3 ? 1.0 / 479001600.0
           : i == 4 ? -1.0 / 3628800.0
           : i == 5 ? 1.0 / 40320.0
           : i == 6 ? -1.0 / 720.0
           : i == 7 ? 1.0 / 24.0
           : i == 8 ? -0.5
                    : 1.0;
}

// sin(x) = x * P(x^2), P by Horner over sin_coef.
L2C_HD double sin_poly(double x) {
    const double z = x * x;
    double r = sin_coef(0);
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
    for (int i = 1; i < kSinTerms; i++) r = fma(r, z, sin_coef(i));
    return r * x;
}

// cos(x) = Q(x^2), Q by Horner over cos_coef.
L2C_HD double cos_poly(double x) {
    const double z = x * x;
    double r = cos_coef(0);
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
    for (int i = 1; i < kCosTerms; i++) r = fma(r, z, cos_coef(i));
    return r;
}

// K(u): 0 below -1, 1 above 1.
template <int32_t K>
L2C_HD double cdf(double u) {
    if (u <= -1) return 0;
    if (u >= 1) return 1;
    if (K == kCos) return 0.5 * (1 + sin_poly(kHalfPi * u));  // (1 - cos(pi (u + 1) / 2)) / 2
    if (K == kTri) return u <= 0 ? 0.5 * (u + 1) * (u + 1) : 1 - 0.5 * (1 - u) * (1 - u);
    return 0.5 * (u + 1);
}

// K'(u): 0 outside (-1, 1).
template <int32_t K>
L2C_HD double density(double u) {
    if (u <= -1 || u >= 1) return 0;
    if (K == kCos) return kQuarterPi * cos_poly(kHalfPi * u);
    if (K == kTri) return 1 - fabs(u);
    return 0.5;
}

L2C_HD int64_t to_fixed(double v) { return (int64_t)(v * kFixedOne + 0.5); }

// Half away from zero. |c| + 1/2 is exact in double for any float c, so truncation rounds right;
// written out because round/floor/ceil are library calls on baseline x86-64.
L2C_HD int64_t symbol_of(float c) {
    const double a = fabs((double)c) + 0.5;
    const int64_t r = (int64_t)a;
    return c < 0 ? -r : r;
}

L2C_HD int64_t floor_i64(double x) {
    const int64_t t = (int64_t)x;
    return (double)t > x ? t - 1 : t;
}

L2C_HD int64_t ceil_i64(double x) {
    const int64_t t = (int64_t)x;
    return (double)t < x ? t + 1 : t;
}

// Cell geometry of one set of codes. Sub-cell s = 3 m + j of cell m spans
// t in [m + start[j], m + start[j + 1]) with start = {0, p1, p2, 1}.
struct Geometry {
    int64_t kmin;
    int64_t bins;
    double delta;
    double inv_delta;
    double x0;    // x_0 = kmin - 1/2
    double beta;  // pi / (2 delta): the COS kernel's angle per unit of t
    double p1, p2;
};

// Cells m = 0 .. bins (t reaches bins at most), three sub-cells each.
L2C_HD int64_t subcells(const Geometry& g) { return 3 * (g.bins + 1); }

inline int32_t make_geometry(float min_c, float max_c, int32_t resolution, Geometry* g) {
    const int64_t kmin = symbol_of(min_c), kmax = symbol_of(max_c);
    if (kmax - kmin + 1 > kMaxBins) return kErrBinRange;
    g->kmin = kmin;
    g->bins = kmax - kmin + 1;
    const double spread = (double)max_c - (double)min_c;
    g->delta = spread > 0 ? spread / resolution : 1.0;
    g->inv_delta = 1.0 / g->delta;
    g->x0 = (double)kmin - 0.5;
    g->beta = kHalfPi * g->inv_delta;
    const double r = g->delta - (double)floor_i64(g->delta);
    g->p1 = r < 1 - r ? r : 1 - r;
    g->p2 = r < 1 - r ? 1 - r : r;
    return kOk;
}

L2C_HD double subcell_start(const Geometry& g, int64_t j) { return j == 0 ? 0.0 : j == 1 ? g.p1 : g.p2; }
L2C_HD double subcell_end(const Geometry& g, int64_t j) { return j == 0 ? g.p1 : j == 1 ? g.p2 : 1.0; }

// Sub-cell of code c, its offset from the sub-cell's start and its bin q - kmin. t is clamped into
// the stored cells [0, bins] (only rounding can push it out). t = c - x_0 is exact in double, so
// the cell m = floor(t) is the bin of round(c), except for a negative code exactly on a
// half-integer (f == 0), which rounds away from zero into bin m - 1 (*below = 1). Branch-free, so
// the CPU loops vectorize.
L2C_HD int32_t locate(const Geometry& g, float cf, double* off, int32_t* below) {
    double t = (double)cf - g.x0;
    t = t > 0 ? t : 0;
    t = t < (double)g.bins ? t : (double)g.bins;
    const int32_t m = (int32_t)t;  // t >= 0: truncation is floor
    const double f = t - (double)m;
    const bool a1 = f >= g.p1, a2 = f >= g.p2;
    *off = f - (a2 ? g.p2 : (a1 ? g.p1 : 0.0));
    *below = (int32_t)(cf < 0 && f == 0);
    return 3 * m + (int32_t)a1 + (int32_t)a2;
}

// The two features of an offset (in [0, 1] each). COS: the angle is clamped to pi/2, which only
// bites in sub-cells without boundaries in reach (delta < 1/2), whose features are never used.
template <int32_t K>
L2C_HD void features(const Geometry& g, double off, double* f1, double* f2) {
    if (K == kCos) {
        double x = g.beta * off;
        x = x < kHalfPi ? x : kHalfPi;
        *f1 = cos_poly(x);
        *f2 = sin_poly(x);
    } else if (K == kTri) {
        *f1 = off;
        *f2 = off * off;
    } else {
        *f1 = off;
        *f2 = 0;
    }
}

// Histogram slots of one scatter: count[bins], then per sub-cell s the triple sub[3 s + 0 .. 2] =
// (elements, fixed-point sum of f1, fixed-point sum of f2).
L2C_HD int64_t hist_slots(int64_t bins) { return bins + 9 * (bins + 1); }

// Add is a functor add(int64_t* slot, int64_t v): an atomic on the GPU.
template <int32_t K, class Add>
L2C_HD void scatter_element(const Geometry& g, float cf, int64_t* count, int64_t* sub, Add add) {
    double off, f1, f2;
    int32_t below;
    const int64_t s = locate(g, cf, &off, &below);
    features<K>(g, off, &f1, &f2);
    add(&count[symbol_of(cf) - g.kmin], 1);
    add(&sub[3 * s], 1);
    add(&sub[3 * s + 1], to_fixed(f1));
    if (K != kLin) add(&sub[3 * s + 2], to_fixed(f2));
}

// The gradient table of the backward pass, four doubles per sub-cell s of cell m:
// row[0] = G0_s + query[m], row[1] = G1_s, row[2] = G2_s, row[3] = G0_s + query[m - 1] (the row
// for codes that round into the bin below, see locate), query[k] the query-path term of bin k
// (0 outside the bins). One gather of the base term per element instead of two.
L2C_HD int64_t table_slots(const Geometry& g) { return 4 * subcells(g); }

// dR/dc of a code from its table entries and features. Terms that are 0 for the kernel (G1, G2
// for LIN, G2 for TRI) are left out.
template <int32_t K>
L2C_HD double combine(double base, double g1, double g2, double f1, double f2) {
    if (K == kLin) return base;
    if (K == kTri) return base + g1 * f1;
    return base + g1 * f1 + g2 * f2;
}

// dR/dc of one element from the table.
template <int32_t K>
L2C_HD double gather_element(const Geometry& g, float cf, const double* table) {
    double off, f1, f2;
    int32_t below;
    const int32_t s = locate(g, cf, &off, &below);
    features<K>(g, off, &f1, &f2);
    const int32_t r = 4 * s;  // plain indices, which the CPU loops turn into vector gathers
    return combine<K>(table[r + 3 * below], table[r + 1], table[r + 2], f1, f2);
}

// sin and cos of an angle in (-pi/2 - 1e-9, pi]: the table stage's angles beta (b - a).
inline void sin_cos(double a, double* s, double* c) {
    if (a > kHalfPi) {
        *s = cos_poly(a - kHalfPi);
        *c = -sin_poly(a - kHalfPi);
    } else {
        *s = sin_poly(a);
        *c = cos_poly(a);
    }
}

// One sub-cell's terms at boundary b, d = b - a (a: the sub-cell's start in t), below = b lies
// at or below the cell (u <= 0 for every code of the sub-cell). From the sub-cell's count n and
// feature sums s1, s2: *kf = sum K(u), *kd = sum K'(u); and u-independent weights w0, w1, w2
// with K'(u_j) = w0 + w1 f1_j + w2 f2_j.
template <int32_t K>
inline void expand(const Geometry& g, double d, bool below, double n, double s1, double s2, double* kf,
                   double* kd, double* w) {
    if (K == kCos) {
        // u = (d - o) / delta; (pi/2) u = A - beta o with A = beta d.
        double sa, ca;
        sin_cos(g.beta * d, &sa, &ca);
        *kf = 0.5 * n + 0.5 * (sa * s1 - ca * s2);
        *kd = kQuarterPi * (ca * s1 + sa * s2);
        w[0] = 0;
        w[1] = kQuarterPi * ca;
        w[2] = kQuarterPi * sa;
    } else if (K == kTri) {
        const double h = 0.5 * g.inv_delta * g.inv_delta;
        if (below) {
            // K = (u + 1)^2 / 2 = h (D - o)^2, K' = (D - o) / delta, D = d + delta.
            const double D = d + g.delta;
            *kf = h * (D * D * n - 2 * D * s1 + s2);
            *kd = (D * n - s1) * g.inv_delta;
            w[0] = D * g.inv_delta;
            w[1] = -g.inv_delta;
        } else {
            // K = 1 - (1 - u)^2 / 2 = 1 - h (E + o)^2, K' = (E + o) / delta, E = delta - d.
            const double E = g.delta - d;
            *kf = n - h * (E * E * n + 2 * E * s1 + s2);
            *kd = (E * n + s1) * g.inv_delta;
            w[0] = E * g.inv_delta;
            w[1] = g.inv_delta;
        }
        w[2] = 0;
    } else {
        // K = (u + 1) / 2, K' = 1/2.
        *kf = 0.5 * ((d + g.delta) * n - s1) * g.inv_delta;
        *kd = 0.5 * n;
        w[0] = 0.5;
        w[1] = 0;
        w[2] = 0;
    }
}

// Boundaries of sub-cell s = 3 m + j strictly within +-delta of its codes: [*lo, *hi] (may be
// empty), unclamped; the sub-cell's midpoint decides, away from the critical points.
L2C_HD void subcell_window(const Geometry& g, int64_t s, int64_t* lo, int64_t* hi) {
    const int64_t m = s / 3, j = s % 3;
    const double mid = (double)m + 0.5 * (subcell_start(g, j) + subcell_end(g, j));
    *lo = floor_i64(mid - g.delta) + 1;
    *hi = ceil_i64(mid + g.delta) - 1;
}

// Table stage (host, serial, fixed order). Consumes the summed histograms; writes probs[bins];
// returns R in bits. With table (table_slots) non-null, also the backward's gradient table.
template <int32_t K>
inline double tables_k(const Geometry& g, int64_t n, const int64_t* count, const int64_t* sub,
                       double* probs, double* table) {
    const int64_t bins = g.bins, cells = subcells(g);
    std::vector<int64_t> whole((size_t)bins + 2, 0);  // difference array of whole ones
    std::vector<double> part((size_t)bins + 1, 0.0), dens((size_t)bins + 1, 0.0);
    double w[3];
    for (int64_t s = 0; s < cells; s++) {
        const int64_t ns = sub[3 * s];
        if (ns == 0) continue;
        int64_t lo, hi;
        subcell_window(g, s, &lo, &hi);
        const int64_t full_at = hi + 1 < 0 ? 0 : (hi + 1 > bins + 1 ? bins + 1 : hi + 1);
        whole[(size_t)full_at] += ns;
        const double a = (double)(s / 3) + subcell_start(g, s % 3);
        const double s1 = (double)sub[3 * s + 1] / kFixedOne, s2 = (double)sub[3 * s + 2] / kFixedOne;
        for (int64_t b = lo < 0 ? 0 : lo; b <= hi && b <= bins; b++) {
            double kf, kd;
            expand<K>(g, (double)b - a, b <= s / 3, (double)ns, s1, s2, &kf, &kd, w);
            part[(size_t)b] += kf;
            dens[(size_t)b] += kd;
        }
    }
    const double inv_n = 1.0 / (double)n;
    int64_t acc = 0;
    double f_prev = 0;  // F at the lower boundary of the current bin
    for (int64_t b = 0; b <= bins; b++) {
        acc += whole[(size_t)b];
        const double f = (double)acc + part[(size_t)b];
        if (b > 0) {
            const double p = (f - f_prev) * inv_n;
            probs[b - 1] = p > kMinProb ? p : kMinProb;
        }
        f_prev = f;
    }
    double bits = 0;
    for (int64_t k = 0; k < bins; k++)
        if (count[k] > 0) bits -= (double)count[k] * log2(probs[k]);
    if (table == nullptr) return bits;
    // coef[b] = -A_b / delta; g_k = n_k / (N p(k)); A_b = -(1/ln2) (g_{b-1} - g_b), g = 0 outside.
    std::vector<double> coef((size_t)bins + 1);
    double g_below = 0;
    for (int64_t b = 0; b <= bins; b++) {
        const double g_above = b < bins ? (double)count[b] * inv_n / probs[b] : 0.0;
        coef[(size_t)b] = kInvLn2 * (g_below - g_above) * g.inv_delta;
        g_below = g_above;
    }
    // query[k + 1] is the query-path term of bin k; 0 just outside the bins.
    std::vector<double> query((size_t)bins + 2, 0.0);
    for (int64_t k = 0; k < bins; k++) {
        const double f_lo = dens[(size_t)k] * g.inv_delta;
        const double f_hi = dens[(size_t)k + 1] * g.inv_delta;
        query[(size_t)k + 1] = -kInvLn2 * (f_hi - f_lo) * inv_n / probs[k];
    }
    for (int64_t s = 0; s < cells; s++) {
        double* row = table + 4 * s;
        row[0] = row[1] = row[2] = row[3] = 0;
        if (sub[3 * s] == 0) continue;  // no code will read it
        double gc[3] = {0, 0, 0};
        int64_t lo, hi;
        subcell_window(g, s, &lo, &hi);
        const double a = (double)(s / 3) + subcell_start(g, s % 3);
        for (int64_t b = lo < 0 ? 0 : lo; b <= hi && b <= bins; b++) {
            double kf, kd;
            expand<K>(g, (double)b - a, b <= s / 3, 0.0, 0.0, 0.0, &kf, &kd, w);
            const double cb = coef[(size_t)b];
            gc[0] += cb * w[0];
            gc[1] += cb * w[1];
            gc[2] += cb * w[2];
        }
        const size_t m = (size_t)(s / 3);
        row[0] = gc[0] + query[m + 1];
        row[1] = gc[1];
        row[2] = gc[2];
        row[3] = gc[0] + query[m];
    }
    return bits;
}

inline double tables(int32_t kernel, const Geometry& g, int64_t n, const int64_t* count, const int64_t* sub,
                     double* probs, double* table) {
    if (kernel == kCos) return tables_k<kCos>(g, n, count, sub, probs, table);
    if (kernel == kTri) return tables_k<kTri>(g, n, count, sub, probs, table);
    return tables_k<kLin>(g, n, count, sub, probs, table);
}

}  // namespace counter
}  // namespace l2c
