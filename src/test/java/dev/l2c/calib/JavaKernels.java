package dev.l2c.calib;

import dev.l2c.counter.CounterKernel;
import dev.l2c.counter.CounterKernels;
import dev.l2c.transform.Channels;
import dev.l2c.transform.TransformKernels;
import dev.l2c.transform.TransformKind;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * A plain-Java implementation of the transform and counter kernel interfaces, written from
 * DESIGN.md's formulas (UNIFORM and EDGE_SCALE; the counter with the boundary scatter), so the
 * optimizer and ratio control can be tested on their own, in double where it matters. Single
 * threaded and deterministic.
 */
public final class JavaKernels implements TransformKernels, CounterKernels {
    private static final double LN2 = Math.log(2);

    /** Whether backward includes the path through the query points (tests of the scatter path alone turn it off). */
    boolean queryPath = true;

    static double round(double c) {
        return Math.copySign(Math.floor(Math.abs(c) + 0.5), c);
    }

    @Override
    public void forward(TransformKind kind, FloatBuffer w, long n, Channels ch, FloatBuffer params, FloatBuffer c, IntBuffer q,
            FloatBuffer wHat) {
        int k = ch.count();
        for (int i = 0; i < n; i++) {
            int chan = ch.of(i);
            double x = w.get(i);
            double code;
            double rec;
            if (kind == TransformKind.UNIFORM) {
                double s = params.get(chan);
                code = x / s;
                rec = round(code) * s;
            } else {
                double e = params.get(chan);
                double s = params.get(k + chan);
                code = Math.abs(x) <= e ? x / (2 * e) : Math.signum(x) * (0.5 + (Math.abs(x) - e) / s);
                double r = round(code);
                rec = r == 0 ? 0 : Math.signum(r) * (e + (Math.abs(r) - 0.5) * s);
            }
            if (c != null) c.put(i, (float) code);
            if (q != null) q.put(i, (int) round((float) code));
            if (wHat != null) wHat.put(i, (float) rec);
        }
    }

    @Override
    public void backward(TransformKind kind, FloatBuffer w, long n, Channels ch, FloatBuffer params, FloatBuffer gWHat,
            FloatBuffer gC, FloatBuffer gW, FloatBuffer gParams) {
        int k = ch.count();
        int per = kind.paramsPerChannel;
        double[] acc = new double[per * k];
        for (int i = 0; i < n; i++) {
            int chan = ch.of(i);
            double x = w.get(i);
            double g = gWHat == null ? 0 : gWHat.get(i);
            double gc = gC == null ? 0 : gC.get(i);
            if (kind == TransformKind.UNIFORM) {
                double s = params.get(chan);
                double code = x / s;
                double r = round(code);
                double dcdw = 1 / s;
                double dcds = -x / (s * s);
                if (gW != null) gW.put(i, (float) ((g * s + gc) * dcdw));
                acc[chan] += g * (r + s * dcds) + gc * dcds;
            } else {
                double e = params.get(chan);
                double s = params.get(k + chan);
                boolean dead = Math.abs(x) <= e;
                double code = dead ? x / (2 * e) : Math.signum(x) * (0.5 + (Math.abs(x) - e) / s);
                double r = round(code);
                double dD = r == 0 ? 2 * e : s;
                double dDde = r == 0 ? 0 : Math.signum(r);
                double dDds = r == 0 ? 0 : Math.signum(r) * (Math.abs(r) - 0.5);
                double dcdw = dead ? 1 / (2 * e) : 1 / s;
                double dcde = dead ? -x / (2 * e * e) : -Math.signum(x) / s;
                double dcds = dead ? 0 : -Math.signum(x) * (Math.abs(x) - e) / (s * s);
                if (gW != null) gW.put(i, (float) ((g * dD + gc) * dcdw));
                acc[chan] += g * (dDde + dD * dcde) + gc * dcde;
                acc[k + chan] += g * (dDds + dD * dcds) + gc * dcds;
            }
        }
        for (int j = 0; j < acc.length; j++) gParams.put(j, (float) (gParams.get(j) + acc[j]));
    }

    static double cdf(CounterKernel kernel, double u) {
        if (u <= -1) return 0;
        if (u >= 1) return 1;
        return switch (kernel) {
            case COS -> (1 - Math.cos(Math.PI * (u + 1) / 2)) / 2;
            case TRI -> u <= 0 ? (u + 1) * (u + 1) / 2 : 1 - (1 - u) * (1 - u) / 2;
            case LIN -> (u + 1) / 2;
        };
    }

    static double density(CounterKernel kernel, double u) {
        if (u <= -1 || u >= 1) return 0;
        return switch (kernel) {
            case COS -> Math.PI / 4 * Math.sin(Math.PI * (u + 1) / 2);
            case TRI -> u <= 0 ? u + 1 : 1 - u;
            case LIN -> 0.5;
        };
    }

    /** F and f at the boundaries k - 1/2 for k in [kMin, kMax + 1], counts per bin. */
    private record Grid(int kMin, int bins, double delta, double[] F, double[] f, long[] counts) {}

    private static Grid grid(FloatBuffer c, int n, CounterKernel kernel, int resolution) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            lo = Math.min(lo, c.get(i));
            hi = Math.max(hi, c.get(i));
        }
        // All codes equal: no spread to smooth over; one symbol step keeps the kernel meaningful.
        double delta = hi > lo ? (hi - lo) / resolution : 1;
        int kMin = (int) round(lo);
        int bins = (int) round(hi) - kMin + 1;
        double[] F = new double[bins + 1];
        double[] f = new double[bins + 1];
        double[] full = new double[bins + 2];
        long[] counts = new long[bins];
        for (int j = 0; j < n; j++) {
            double cj = c.get(j);
            counts[(int) round((float) cj) - kMin]++;
            double base = cj - (kMin - 0.5);
            int first = (int) Math.max(0, Math.ceil(base - delta));
            int ones = (int) Math.max(0, Math.ceil(base + delta)); // first boundary with u >= 1
            for (int b = first; b <= Math.min(bins, ones - 1); b++) {
                double u = (b - base) / delta;
                F[b] += cdf(kernel, u);
                f[b] += density(kernel, u) / delta;
            }
            if (ones <= bins) full[ones] += 1;
        }
        double run = 0;
        for (int b = 0; b <= bins; b++) {
            run += full[b];
            F[b] += run;
        }
        return new Grid(kMin, bins, delta, F, f, counts);
    }

    @Override
    public Rate forward(FloatBuffer c, long n, CounterKernel kernel, int resolution) {
        Grid g = grid(c, (int) n, kernel, resolution);
        double bits = 0;
        double[] probs = new double[g.bins];
        for (int b = 0; b < g.bins; b++) {
            probs[b] = (g.F[b + 1] - g.F[b]) / n;
            if (g.counts[b] > 0) bits -= g.counts[b] * Math.log(probs[b]) / LN2;
        }
        return new Rate(bits, g.kMin, probs);
    }

    @Override
    public void backward(FloatBuffer c, long n, CounterKernel kernel, int resolution, float scale, FloatBuffer grad) {
        Grid g = grid(c, (int) n, kernel, resolution);
        double[] a = new double[g.bins + 1];
        for (int b = 0; b < g.bins; b++) {
            if (g.counts[b] == 0) continue;
            double mass = g.F[b + 1] - g.F[b];
            a[b + 1] -= g.counts[b] / (LN2 * mass);
            a[b] += g.counts[b] / (LN2 * mass);
        }
        for (int j = 0; j < n; j++) {
            double cj = c.get(j);
            double base = cj - (g.kMin - 0.5);
            int first = (int) Math.max(0, Math.ceil(base - g.delta));
            int ones = (int) Math.max(0, Math.ceil(base + g.delta));
            double sum = 0;
            for (int b = first; b <= Math.min(g.bins, ones - 1); b++) {
                sum += a[b] * -density(kernel, (b - base) / g.delta) / g.delta;
            }
            int bin = (int) round((float) cj) - g.kMin;
            double mass = g.F[bin + 1] - g.F[bin];
            if (queryPath) sum -= (g.f[bin + 1] - g.f[bin]) / (LN2 * mass);
            grad.put(j, (float) (scale * sum));
        }
    }
}
