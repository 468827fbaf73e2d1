// The differentiable counter of DESIGN.md ("Differentiable counter"): kernel CDFs, the boundary
// geometry, the per-element scatter and gather, and the table stage that turns the integer
// histograms into the rate, p(k) and the gradient coefficients. Shared by the CPU kernels
// (l2c/counter_cpu.h) and the CUDA kernels (src/main/cuda/counter_kernels.cuh).
//
// Method (exact over all N codes, O(N * delta + bins)):
//  * q_i = round(c_i), half away from zero; bins k = kmin .. kmax (kmin = round(min c)), so
//    `bins` = kmax - kmin + 1 and the boundaries x_b = kmin - 1/2 + b, b = 0 .. bins.
//  * delta = (max c - min c) / resolution, no gradient; when max c == min c the spread is 0 and
//    delta = 1 stands in, so the kernel still has a width.
//  * F(x_b) = sum_j K((x_b - c_j) / delta). K is 0 for u <= -1 and 1 for u >= 1, so an element
//    adds a whole 1 to every boundary at or above c_j + delta (one difference-array entry) and a
//    fraction only to the boundaries strictly within +-delta (about 2 delta of them).
//  * Accumulation is in integers so that any summation order (threads, GPU atomics) gives the
//    same bits: whole ones in a difference array, fractions K(u) and densities K'(u) in fixed
//    point with 32 fractional bits (error <= 2^-33 per term; N < 2^31 keeps sums in int64).
//  * p(k) = (F(k + 1/2) - F(k - 1/2)) / N, R = -sum_k n_k log2 p(k).
//  * Backward, with A_b = dR/dF(x_b) = -(1/ln2) (n_{k}/(N p(k)) - n_{k+1}/(N p(k+1))) for the bins
//    k, k+1 below and above x_b, and f(x) = dF/dx = sum_i K'((x - c_i)/delta) / delta:
//      dR/dc_j = sum_{|x_b - c_j| < delta} A_b * (-K'((x_b - c_j)/delta) / delta)   (kernel path)
//              - (1/ln2) (f(q_j + 1/2) - f(q_j - 1/2)) / (N p(q_j))                  (query path,
//                straight-through: dq_j/dc_j = 1)
#pragma once
#include <math.h>
#include <stdint.h>

#if !defined(L2C_HD)
#if defined(__CUDACC__)
#define L2C_HD __host__ __device__ __forceinline__
#else
#define L2C_HD inline
#endif
#endif

namespace l2c {
namespace counter {

enum Kernel : int32_t { kCos = 0, kTri = 1, kLin = 2 };

enum Status : int32_t {
    kOk = 0,
    kErrArgument = -1,   // a size, pointer, kernel or resolution is invalid
    kErrNonFinite = -3,  // a code is NaN or infinite (err_pos: its index)
    kErrRange = -4,      // the codes span more than kMaxBins symbols
    kErrCapacity = -8,   // probs has room for fewer than `bins` values (*bins_out says how many)
    kErrDevice = -9,     // CUDA runtime failure
    kErrAlloc = -10,     // host allocation failed
};

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
// so CPU and GPU evaluate the same polynomial instead of two different libm's.
L2C_HD double sin_poly(double x) {
    const double z = x * x;
    double r = 1.0 / 355687428096000.0;  // 1/17!
    r = r * z - 1.0 / 1307674368000.0;
    r = r * z + 1.0 / 6227020800.0;
    r = r * z - 1.0 / 39916800.0;
    r = r * z + 1.0 / 362880.0;
    r = r * z - 1.0 / 5040.0;
    r = r * z + 1.0 / 120.0;
    r = r * z - 1.0 / 6.0;
    r = r * z + 1.0;
    return r * x;
}

L2C_HD double cos_poly(double x) {
    const double z = x * x;
    double r = -1.0 / 6402373705728000.0;  // -1/18!
    r = r * z + 1.0 / 20922789888000.0;
    r = r * z - 1.0 / 87178291200.0;
    r = r * z + 1.0 / 479001600.0;
    r = r * z - 1.0 / 3628800.0;
    r = r * z + 1.0 / 40320.0;
    r = r * z - 1.0 / 720.0;
    r = r * z + 1.0 / 24.0;
    r = r * z - 0.5;
    r = r * z + 1.0;
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

// Bins and kernel width of one set of codes.
struct Geometry {
    int64_t kmin;
    int64_t bins;
    double delta;
    double inv_delta;
    double x0;  // x_0 = kmin - 1/2
};

inline int32_t make_geometry(float min_c, float max_c, int32_t resolution, Geometry* g) {
    const int64_t kmin = symbol_of(min_c), kmax = symbol_of(max_c);
    if (kmax - kmin + 1 > kMaxBins) return kErrRange;
    g->kmin = kmin;
    g->bins = kmax - kmin + 1;
    const double spread = (double)max_c - (double)min_c;
    g->delta = spread > 0 ? spread / resolution : 1.0;
    g->inv_delta = 1.0 / g->delta;
    g->x0 = (double)kmin - 0.5;
    return kOk;
}

// Boundaries strictly within +-delta of c: [*lo, *full); those at and above *full get a whole 1.
// Both are clamped to the stored range 0 .. bins (full may be bins + 1: nothing to add).
L2C_HD void element_span(const Geometry& g, double c, int64_t* lo, int64_t* full) {
    const double t = c - g.x0;
    int64_t a = floor_i64(t - g.delta) + 1;
    int64_t b = ceil_i64(t + g.delta);
    if (a < 0) a = 0;
    if (b > g.bins + 1) b = g.bins + 1;
    if (a > b) a = b;
    *lo = a;
    *full = b;
}

// Histogram slots of one scatter: count[bins], full[bins + 2] (difference array), part[bins + 1]
// (fixed-point K), dens[bins + 1] (fixed-point K'; only when the backward needs it).
// Add is a functor add(int64_t* slot, int64_t v): plain on the CPU, an atomic on the GPU.
template <int32_t K, bool kDensity, class Add>
L2C_HD void scatter_element(const Geometry& g, float cf, int64_t* count, int64_t* full,
                            int64_t* part, int64_t* dens, Add add) {
    const double c = cf;
    add(&count[symbol_of(cf) - g.kmin], 1);
    int64_t lo, hi;
    element_span(g, c, &lo, &hi);
    add(&full[hi], 1);
    const double t = c - g.x0;
    for (int64_t b = lo; b < hi; b++) {
        const double u = ((double)b - t) * g.inv_delta;
        add(&part[b], to_fixed(cdf<K>(u)));
        if (kDensity) add(&dens[b], to_fixed(density<K>(u)));
    }
}

// Plain addition for a histogram only this thread touches (the CPU's per-thread copies).
struct PlainAdd {
    L2C_HD void operator()(int64_t* slot, int64_t v) const { *slot += v; }
};

// The gradient of one element given the table stage's coefficients: coef[b] = -A_b / delta for
// b = 0 .. bins, query[k] the query-path term of bin k.
template <int32_t K>
L2C_HD double gather_element(const Geometry& g, float cf, const double* coef, const double* query) {
    const double c = cf;
    int64_t lo, hi;
    element_span(g, c, &lo, &hi);
    const double t = c - g.x0;
    double sum = 0;
    for (int64_t b = lo; b < hi; b++) sum += coef[b] * density<K>(((double)b - t) * g.inv_delta);
    return sum + query[symbol_of(cf) - g.kmin];
}

// Table stage (host, serial, fixed order). Consumes the summed histograms; writes probs[bins];
// returns R in bits. With coef (bins + 1) and query (bins) non-null, also the backward
// coefficients (dens must then be filled).
inline double tables(const Geometry& g, int64_t n, const int64_t* count, const int64_t* full,
                     const int64_t* part, const int64_t* dens, double* probs, double* coef,
                     double* query) {
    const int64_t bins = g.bins;
    const double inv_n = 1.0 / (double)n;
    int64_t whole = 0;
    double f_prev = 0;  // F at the lower boundary of the current bin
    for (int64_t b = 0; b <= bins; b++) {
        whole += full[b];
        const double f = (double)whole + (double)part[b] / kFixedOne;
        if (b > 0) {
            const double p = (f - f_prev) * inv_n;
            probs[b - 1] = p > kMinProb ? p : kMinProb;
        }
        f_prev = f;
    }
    double bits = 0;
    for (int64_t k = 0; k < bins; k++)
        if (count[k] > 0) bits -= (double)count[k] * log2(probs[k]);
    if (coef == nullptr) return bits;
    // g_k = n_k / (N p(k)); A_b = -(1/ln2) (g_{b-1} - g_b), with g = 0 outside the bins.
    double g_below = 0;
    for (int64_t b = 0; b <= bins; b++) {
        const double g_above = b < bins ? (double)count[b] * inv_n / probs[b] : 0.0;
        const double a = -kInvLn2 * (g_below - g_above);
        coef[b] = -a * g.inv_delta;
        g_below = g_above;
    }
    for (int64_t k = 0; k < bins; k++) {
        const double f_lo = (double)dens[k] / kFixedOne * g.inv_delta;
        const double f_hi = (double)dens[k + 1] / kFixedOne * g.inv_delta;
        query[k] = -kInvLn2 * (f_hi - f_lo) * inv_n / probs[k];
    }
    return bits;
}

}  // namespace counter
}  // namespace l2c
