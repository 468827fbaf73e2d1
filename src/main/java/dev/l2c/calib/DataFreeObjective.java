package dev.l2c.calib;

import java.nio.FloatBuffer;
import java.util.List;

/**
 * Data-free distortion: D = sum_l ||W_l - What_l||^2 / ||W_l||^2, the relative weight error summed
 * over tensors, for bare weight files. dD/dWhat_l = 2 (What_l - W_l) / ||W_l||^2. A tensor of all
 * zeros is measured by the absolute error (its norm is taken as 1).
 */
public final class DataFreeObjective implements Objective {
    private final FloatBuffer[] weights;
    private final double[] inverseNorms;
    private final double[] terms;

    /** {@code weights}: the original weights of each optimized tensor (direct, read from 0 to limit). */
    public DataFreeObjective(List<FloatBuffer> weights) {
        this.weights = weights.toArray(new FloatBuffer[0]);
        this.inverseNorms = new double[this.weights.length];
        this.terms = new double[this.weights.length];
        for (int l = 0; l < this.weights.length; l++) {
            FloatBuffer w = this.weights[l];
            double sq = 0;
            for (int i = 0, n = w.limit(); i < n; i++) {
                double v = w.get(i);
                sq += v * v;
            }
            inverseNorms[l] = sq > 0 ? 1 / sq : 1;
        }
    }

    @Override
    public String name() {
        return "data-free";
    }

    @Override
    public double evaluate(FloatBuffer[] wHat, FloatBuffer[] grad) {
        if (wHat.length != weights.length) {
            throw new IllegalArgumentException(wHat.length + " tensors for an objective over " + weights.length);
        }
        // Tensors in parallel, each summed in element order and the total in tensor order, so
        // the result does not depend on the thread count.
        java.util.stream.IntStream.range(0, weights.length).parallel().forEach(l -> {
            FloatBuffer w = weights[l];
            FloatBuffer r = wHat[l];
            FloatBuffer g = grad == null ? null : grad[l];
            int n = w.limit();
            double scale = inverseNorms[l];
            double sq = 0;
            for (int i = 0; i < n; i++) {
                double d = (double) r.get(i) - w.get(i);
                sq += d * d;
                if (g != null) g.put(i, (float) (2 * d * scale));
            }
            terms[l] = sq * scale;
        });
        double total = 0;
        for (double t : terms) total += t;
        return total;
    }

    @Override
    public double lastTerm(int l) {
        return terms[l];
    }

    /** ||W_l - What_l||^2 / ||W_l||^2 for one tensor, in double. */
    public static double relativeError(FloatBuffer w, float[] wHat) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < wHat.length; i++) {
            double v = w.get(i);
            double d = wHat[i] - v;
            num += d * d;
            den += v * v;
        }
        return den > 0 ? num / den : num;
    }
}
