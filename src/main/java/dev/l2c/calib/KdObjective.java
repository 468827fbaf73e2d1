package dev.l2c.calib;

import dev.l2c.L2cException;
import dev.l2c.graph.OnnxExecutor;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * Knowledge-distillation distortion for the transform phase: the reconstructed weights What run
 * in the network as live (requires-grad) initializers on one minibatch per call, D = the relative
 * error of the outputs plus the mean relative error of the features ({@link Distillation}), and
 * dD/dWhat from libtorch autograd. Each call draws the next minibatch of its sampler, so D is a
 * stochastic estimate, as in the paper's Adam steps.
 *
 * <p>D is not a sum over tensors, but the optimizer's lambda heuristic needs each tensor's share.
 * Around the original weights D is a quadratic with its minimum at What = W, D ~ (1/2) dW^T H dW,
 * whose gradient is H dW; so tensor l's share is estimated as (1/2) <dD/dWhat_l, What_l - W_l>
 * (exact for the quadratic, and summing to D), floored at 0.
 */
public final class KdObjective implements Objective {
    private final OnnxExecutor executor;
    private final Distillation distillation;
    private final BatchSampler sampler;
    private final Distillation.Weights weights;
    private final CalibTensor[] tensors;
    private final FloatBuffer[] scratch;
    private final double[] terms;
    private final CalibrationClock clock;
    private Distillation.Loss last;

    public KdObjective(OnnxExecutor executor, Distillation distillation, BatchSampler sampler, Distillation.Weights weights,
            List<CalibTensor> tensors, CalibrationClock clock) {
        this.executor = executor;
        this.distillation = distillation;
        this.sampler = sampler;
        this.weights = weights;
        this.tensors = tensors.toArray(new CalibTensor[0]);
        this.scratch = new FloatBuffer[this.tensors.length];
        this.terms = new double[this.tensors.length];
        this.clock = clock;
    }

    @Override
    public String name() {
        return "kd";
    }

    /** The parts of the loss at the last evaluation (null before the first). */
    public Distillation.Loss lastLoss() {
        return last;
    }

    @Override
    public double evaluate(FloatBuffer[] wHat, FloatBuffer[] grad) throws L2cException {
        if (wHat.length != tensors.length) {
            throw new IllegalArgumentException(wHat.length + " tensors for an objective over " + tensors.length);
        }
        FloatBuffer[] g = grad != null ? grad : scratch();
        last = StudentWeights.step(executor, distillation, sampler, tensors, wHat, weights, clock, g);
        attribute(wHat, g);
        return weights.output() * last.output() + weights.features() * last.features();
    }

    /** D with the student's gradient tensors handed over, not copied (see {@link LeafGradients}). */
    @Override
    public Gradients evaluateHandingOver(FloatBuffer[] wHat, FloatBuffer[] scratch) throws L2cException {
        if (wHat.length != tensors.length) {
            throw new IllegalArgumentException(wHat.length + " tensors for an objective over " + tensors.length);
        }
        LeafGradients g = StudentWeights.stepHandingOver(executor, distillation, sampler, tensors, wHat, weights, clock);
        try {
            last = g.loss();
            FloatBuffer[] views = new FloatBuffer[tensors.length];
            for (int l = 0; l < views.length; l++) views[l] = g.get(l);
            attribute(wHat, views);
            g.setDistortion(weights.output() * last.output() + weights.features() * last.features());
            return g;
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
    }

    @Override
    public double lastTerm(int l) {
        return terms[l];
    }

    /** Tensor shares (1/2) <g_l, What_l - W_l>, floored at 0 (class comment). */
    private void attribute(FloatBuffer[] wHat, FloatBuffer[] g) {
        for (int l = 0; l < tensors.length; l++) {
            if (g[l] == null) { // no gradient reached the tensor: a zero share
                terms[l] = 0;
                continue;
            }
            double s = Distortion.dotDifference(g[l], wHat[l], tensors[l].weights());
            terms[l] = Math.max(0, s / 2);
        }
    }

    private FloatBuffer[] scratch() {
        for (int l = 0; l < tensors.length; l++) {
            if (scratch[l] == null) {
                int n = Math.toIntExact(tensors[l].elements());
                scratch[l] = TransformOptimizer.floats(n);
            }
        }
        return scratch;
    }
}
