package dev.l2c.bench;

import java.util.Arrays;

/**
 * The reference algorithm of the differentiable counter, written from the formula for comparison:
 * the codes sorted once, and for every query point (each element's q - 1/2 and q + 1/2) a binary
 * search plus a scan of the codes within +-delta, forward and backward. Large tensors are
 * subsampled (every {@code stride}-th element is both a code and a query), as the reference must
 * do to finish; stride 1 is exact.
 */
final class ReferenceCounter {
    private final float[] sorted;
    private final int[] order; // order[k] = index in codes of sorted[k]
    private final float[] codes;
    private final int resolution;
    private final Kernel kernel;

    /** Kernel CDF K on [-1, 1] and its density K'. */
    enum Kernel {
        COS {
            double cdf(double u) {
                return (1 - Math.cos(Math.PI * (u + 1) / 2)) / 2;
            }

            double pdf(double u) {
                return Math.PI / 4 * Math.sin(Math.PI * (u + 1) / 2);
            }
        },
        TRI {
            double cdf(double u) {
                return u <= 0 ? (u + 1) * (u + 1) / 2 : 1 - (1 - u) * (1 - u) / 2;
            }

            double pdf(double u) {
                return 1 - Math.abs(u);
            }
        },
        LIN {
            double cdf(double u) {
                return (u + 1) / 2;
            }

            double pdf(double u) {
                return 0.5;
            }
        };

        abstract double cdf(double u);

        abstract double pdf(double u);
    }

    ReferenceCounter(float[] allCodes, int stride, int resolution, Kernel kernel) {
        int n = (allCodes.length + stride - 1) / stride;
        codes = new float[n];
        for (int i = 0; i < n; i++) codes[i] = allCodes[i * stride];
        // Sort (code, index) pairs: the order-preserving int image of the float in the high half.
        long[] keyed = new long[n];
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToIntBits(codes[i]);
            int ordered = bits >= 0 ? bits : bits ^ 0x7fffffff;
            keyed[i] = ((long) ordered << 32) | i;
        }
        Arrays.sort(keyed);
        sorted = new float[n];
        order = new int[n];
        for (int k = 0; k < n; k++) {
            order[k] = (int) keyed[k];
            sorted[k] = codes[order[k]];
        }
        this.resolution = resolution;
        this.kernel = kernel;
    }

    int size() {
        return codes.length;
    }

    /** Rate in bits of the (subsampled) codes; fills {@code grad} with dR/dc when non-null. */
    double rateAndGradient(double[] grad) {
        int n = codes.length;
        double delta = sorted[n - 1] > sorted[0] ? (sorted[n - 1] - sorted[0]) / (double) resolution : 1.0;
        double bits = 0;
        for (int i = 0; i < n; i++) {
            double q = Math.rint(codes[i]);
            double lo = q - 0.5;
            double hi = q + 0.5;
            double p = (cdfSum(hi, delta) - cdfSum(lo, delta)) / n;
            bits -= Math.log(p) / Math.log(2);
            if (grad == null) continue;
            double a = -1 / (Math.log(2) * n * p); // dR_i / d(F(hi) - F(lo))
            // Path through F: each code c_j near a query moves F there by -K'((x - c_j)/delta)/delta.
            scatterGradient(hi, delta, a, grad);
            scatterGradient(lo, delta, -a, grad);
            // Path through the query points themselves (straight-through: dq_i/dc_i = 1).
            grad[i] += a * (pdfSum(hi, delta) - pdfSum(lo, delta));
        }
        return bits;
    }

    private double cdfSum(double x, double delta) {
        int from = lowerBound(x - delta);
        double f = from; // every code below x - delta contributes a full 1
        for (int j = from; j < sorted.length && sorted[j] <= x + delta; j++) {
            f += kernel.cdf(Math.max(-1, Math.min(1, (x - sorted[j]) / delta)));
        }
        return f;
    }

    private double pdfSum(double x, double delta) {
        double f = 0;
        for (int j = lowerBound(x - delta); j < sorted.length && sorted[j] <= x + delta; j++) {
            f += kernel.pdf((x - sorted[j]) / delta) / delta;
        }
        return f;
    }

    /** Adds a * dF(x)/dc_j for the codes within +-delta of x (a scan of the sorted window). */
    private void scatterGradient(double x, double delta, double a, double[] grad) {
        for (int k = lowerBound(x - delta); k < sorted.length && sorted[k] <= x + delta; k++) {
            double u = (x - sorted[k]) / delta;
            if (u > -1 && u < 1) grad[order[k]] -= a * kernel.pdf(u) / delta;
        }
    }

    private int lowerBound(double x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
