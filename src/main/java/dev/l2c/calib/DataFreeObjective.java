package dev.l2c.calib;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * Data-free distortion: what each tensor's error does to the network, estimated without data, summed
 * over tensors.
 *
 * <p>Weights: D_l = phi(eps_l) with eps_l = ||W_l - What_l||^2 / ||W_l||^2 and phi(eps) = eps / (1 - eps),
 * the noise-to-signal ratio that the layer adds to its output. Why: for a reconstruction that is
 * MSE-optimal along W (dead-zone pruning and rounding are close to it), ||What||^2 = ||W||^2 - ||W - What||^2,
 * so eps / (1 - eps) = ||W - What||^2 / ||What||^2 is the error left once the layer's gain loss is
 * compensated downstream (BatchNorm, the next layer's scale); in a cascade the signal gains multiply
 * but these noise ratios add, so their sum approximates the output's noise-to-signal ratio. For small
 * errors phi(eps) ~ eps (the old sum of relative errors), but phi grows without bound as a tensor
 * approaches eps = 1 (pruned to nothing or drowned in noise), which kills every signal path through it:
 * the old sum charged at most 1 for that, so the allocation could zero a small tensor cheaply. Past
 * eps = {@value #KNEE} phi goes on along its tangent, so D and its gradient stay finite and continuous
 * (a zero tensor, eps = 1, costs phi(1) = 199 where the old sum charged 1).
 *
 * <p>Vectors (tensors of rank 0 or 1: biases, normalization scales and shifts), in data-free mode
 * ({@link #of(List)}): term = {@value #VECTOR_WEIGHT} * ||v - vHat||^2 / ||v||^2, quadratic. Why: a
 * vector's error is the same shift or gain of a whole channel at every position of every input, a
 * systematic error that the normalizations and nonlinearities downstream pass on in full, where the
 * weights' errors are noise that the next layers' sums partly average out; and vectors are a small
 * share of any model's elements, so keeping them near exact costs little rate. The weight does not
 * enter the lambda heuristic's slope share ({@link #lastRateSlope}: the plain relative error), so it
 * does not change the price of a bit for the weights. Chosen on the four zoo models at 10, 20 and
 * 40x and on MiniLM (docs/DESIGN.md, "Data-free objective: the weight of vectors").
 *
 * <p>KD's start ({@link #of(List, Map)}) keeps the pairing that its published results were made with:
 * a bias b that feeds the output of weight W (paired by the caller) changes that output by
 * Delta b per position, while the output's energy is about ||W||^2 sigma^2 + ||b||^2 per position for
 * inputs of unit variance sigma^2 = 1 (BatchNorm-folded and LayerNorm-ed activations are near it);
 * so its term is ||b - bHat||^2 / (||W||^2 + ||b||^2), the output error it causes on the same scale
 * as the weight's eps, quadratic (a lost bias shifts the output, it does not cut the path). A bias
 * with no paired weight is treated as a weight tensor. A tensor of all zeros is measured by its
 * absolute squared error.
 *
 * <p>Every term's gradient is exact: dD/dWhat = phi'(eps) * 2 (What - W) / ||W||^2 for weights,
 * 2 (bHat - b) / (||W||^2 + ||b||^2) for paired biases and {@value #VECTOR_WEIGHT} * 2 (vHat - v) / ||v||^2
 * for vectors.
 */
public final class DataFreeObjective implements SeparableObjective {
    /** Relative error where phi(eps) = eps / (1 - eps) continues along its tangent. */
    static final double KNEE = 0.99;
    /** How much more a vector's relative error counts than a weight's, in data-free mode (see above). */
    static final double VECTOR_WEIGHT = 1000;

    /** The tensors whose weights D is measured against; asked for them one at a time (they may not all be held). */
    private final CalibTensor[] tensors;
    /** 1 / the energy each tensor's squared error is measured against. */
    private final double[] inverseNorms;
    /** Whether the tensor's term is the saturating phi (weights) or quadratic (paired biases, zero tensors). */
    private final boolean[] saturating;
    private final double[] terms;
    private final double[] slopes;
    /** The weight of a vector's quadratic relative error, or 0 where vectors count as the rest. */
    private final double vectorWeight;

    /** Every tensor a weight ({@code weights}: original values, direct, read from 0 to limit). */
    public DataFreeObjective(List<FloatBuffer> weights) {
        this(weights.stream().map(w -> new CalibTensor("", new long[] {w.limit()}, w)).toList(), new double[weights.size()], 0);
    }

    /** Data-free mode's objective over {@code tensors}: vectors weighted by {@value #VECTOR_WEIGHT}, the rest weights. */
    public static DataFreeObjective of(List<CalibTensor> tensors) {
        return new DataFreeObjective(tensors, new double[tensors.size()], VECTOR_WEIGHT);
    }

    /**
     * KD's start over {@code tensors} with the bias pairing {@code layerEnergy}: for a bias, ||W||^2 of
     * the weight whose output it feeds (by tensor name); tensors not in the map are weights.
     */
    public static DataFreeObjective of(List<CalibTensor> tensors, Map<String, Double> layerEnergy) {
        double[] energy = new double[tensors.size()];
        for (int l = 0; l < energy.length; l++) energy[l] = layerEnergy.getOrDefault(tensors.get(l).name(), 0.0);
        return new DataFreeObjective(tensors, energy, 0);
    }

    /** {@code vectorWeight}: the weight of a vector's quadratic relative error, or 0 to treat vectors as the rest. */
    private DataFreeObjective(List<CalibTensor> tensors, double[] layerEnergy, double vectorWeight) {
        this.tensors = tensors.toArray(new CalibTensor[0]);
        int count = this.tensors.length;
        this.inverseNorms = new double[count];
        this.saturating = new boolean[count];
        this.terms = new double[count];
        this.slopes = new double[count];
        this.vectorWeight = vectorWeight;
        for (int l = 0; l < count; l++) {
            double sq = squaredNorm(this.tensors[l].weights());
            if (isVector(l)) {
                inverseNorms[l] = vectorWeight / (sq > 0 ? sq : 1);
            } else if (layerEnergy[l] > 0) {
                inverseNorms[l] = 1 / (layerEnergy[l] + sq);
            } else {
                inverseNorms[l] = sq > 0 ? 1 / sq : 1;
                saturating[l] = sq > 0;
            }
        }
    }

    /** Whether tensor l's term is a weighted vector's (data-free mode: rank 0 or 1). */
    private boolean isVector(int l) {
        return vectorWeight > 0 && tensors[l].shape().length <= 1;
    }

    @Override
    public String name() {
        return "data-free";
    }

    @Override
    public double evaluate(FloatBuffer[] wHat, FloatBuffer[] grad) {
        if (wHat.length != tensors.length) {
            throw new IllegalArgumentException(wHat.length + " tensors for an objective over " + tensors.length);
        }
        // Tensor by tensor, each summed by the native kernel over all cores in a fixed order, so the
        // result does not depend on the thread count.
        double total = 0;
        for (int l = 0; l < tensors.length; l++) total += evaluateTensor(l, wHat[l], grad == null ? null : grad[l]);
        return total;
    }

    @Override
    public double evaluateTensor(int l, FloatBuffer wHat, FloatBuffer grad) {
        FloatBuffer w = tensors[l].weights();
        double sq = Distortion.squaredDifference(w, wHat);
        double eps = sq * inverseNorms[l];
        double value = saturating[l] ? phi(eps) : eps;
        double slope = saturating[l] ? phiSlope(eps) : 1;
        terms[l] = value;
        // d(term)/d(bits per weight) ~ -2 ln 2 eps phi'(eps): the lambda heuristic's share. A vector's
        // share is its plain relative error: its weight keeps it near exact, it is not meant to set
        // the price of a bit for the weights.
        slopes[l] = isVector(l) ? eps * slope / vectorWeight : eps * slope;
        // In place when grad is wHat: the kernel reads each element before writing it.
        if (grad != null) Distortion.scaledDifference(wHat, w, 2 * slope * inverseNorms[l], grad);
        return value;
    }

    @Override
    public double lastTerm(int l) {
        return terms[l];
    }

    @Override
    public double lastRateSlope(int l) {
        return slopes[l];
    }

    /** eps / (1 - eps) up to KNEE, then its tangent there. */
    static double phi(double eps) {
        if (eps <= KNEE) return eps / (1 - eps);
        return KNEE / (1 - KNEE) + (eps - KNEE) / ((1 - KNEE) * (1 - KNEE));
    }

    /** phi'(eps) = 1 / (1 - eps)^2 up to KNEE, constant beyond. */
    static double phiSlope(double eps) {
        double e = Math.min(eps, KNEE);
        return 1 / ((1 - e) * (1 - e));
    }

    private static double squaredNorm(FloatBuffer w) {
        double sq = 0;
        for (int i = 0, n = w.limit(); i < n; i++) {
            double v = w.get(i);
            sq += v * v;
        }
        return sq;
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
