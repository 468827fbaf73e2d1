package dev.l2c.counter;

/**
 * The counter's formula evaluated by brute force in double, O(N * bins) per evaluation: F(x) sums
 * K((x - c_j) / delta) over every code with Math.sin/cos, independent of the kernels' boundary
 * scatter and fixed-point sums.
 */
final class CounterReference {
    private CounterReference() {}

    static double cdf(CounterKernel k, double u) {
        if (u <= -1) return 0;
        if (u >= 1) return 1;
        return switch (k) {
            case COS -> (1 - Math.cos(Math.PI * (u + 1) / 2)) / 2;
            case TRI -> u <= 0 ? (u + 1) * (u + 1) / 2 : 1 - (1 - u) * (1 - u) / 2;
            case LIN -> (u + 1) / 2;
        };
    }

    static long symbol(double c) {
        double r = Math.floor(Math.abs(c) + 0.5);
        return (long) (c < 0 ? -r : r);
    }

    static double delta(float[] c, int resolution) {
        double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
        for (float v : c) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return hi > lo ? (hi - lo) / resolution : 1.0;
    }

    static double F(CounterKernel k, double[] c, double delta, double x) {
        double f = 0;
        for (double cj : c) f += cdf(k, (x - cj) / delta);
        return f;
    }

    static double p(CounterKernel k, double[] c, double delta, double q) {
        return (F(k, c, delta, q + 0.5) - F(k, c, delta, q - 0.5)) / c.length;
    }

    /** R = -sum_i log2 p(q_i) with q_i = round(c_i). */
    static double rate(CounterKernel k, float[] c, int resolution) {
        double delta = delta(c, resolution);
        double[] cd = toDouble(c);
        double[] q = new double[c.length];
        for (int i = 0; i < c.length; i++) q[i] = symbol(c[i]);
        return rateAt(k, cd, delta, q);
    }

    /** -sum_i log2 p(q_i) for given codes, kernel width and query symbols (not re-rounded). */
    static double rateAt(CounterKernel k, double[] c, double delta, double[] q) {
        double bits = 0;
        for (double qi : q) bits -= Math.log(p(k, c, delta, qi)) / Math.log(2);
        return bits;
    }

    static double[] toDouble(float[] c) {
        double[] d = new double[c.length];
        for (int i = 0; i < c.length; i++) d[i] = c[i];
        return d;
    }
}
