package dev.l2c.calib;

import dev.l2c.L2cException;
import dev.l2c.graph.OnnxExecutor;
import dev.l2c.transform.Channels;
import dev.l2c.transform.TransformKernels;
import dev.l2c.transform.TransformKind;
import java.nio.FloatBuffer;

/**
 * The reconstruction phase of KD calibration (the paper's alternation): Adam on the weights W
 * themselves while the transform parameters stay fixed. Each step reconstructs What =
 * transform(W; theta) with the native kernels, runs the student on one minibatch, and brings
 * dL/dWhat back to dL/dW through the kernels' straight-through backward. The weights are updated
 * in place in the optimizer's tensors, so what the closing stage codes is the reconstructed W.
 *
 * <p>Step size: Adam's normalized step times the tensor's (channel's) quantization step s at the
 * first run, so the learning rate reads as the fraction of a quantization step a weight may move
 * per step, the same for every layer whatever its scale (the paper's absolute 5e-6 suits one
 * ImageNet model). The unit is fixed at the first run: were it the present s, weights that grow
 * would widen the transform, which would let them grow faster. The rate decays along a cosine to
 * a twentieth over a run, as the transform phase's does.
 *
 * <p>Each weight stays within one unit of where the first run found it (projected after every
 * step): reconstruction re-decides roundings and nudges weights within their quantization cell's
 * reach, as the paper's tiny learning rate implies, but cannot drift along the directions the
 * loss does not see (ReLU networks rescale freely between layers), where Adam's normalized steps
 * would otherwise walk the weights, and the transform after them, far from the trained ones.
 *
 * <p>A weight that codes to zero when a run starts stays where it is for the run. The
 * reconstruction loss has no rate term, and the zeros are most of what a high ratio saves: left
 * free, reconstruction walked weights out of the dead zone (MobileNet at 20x: the state after one
 * round coded to 12.2 kB where the rate target allowed 8.8 kB), and the closing's common rescale,
 * which then had to take the rate back, cost more accuracy than the reconstruction gained.
 */
public final class Reconstruction {
    /** Called after each step. */
    public interface Listener {
        void step(int step, int steps);
    }

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-12;

    private final TransformKernels transforms;
    private final OnnxExecutor executor;
    private final Distillation distillation;
    private final BatchSampler sampler;
    private final Distillation.Weights weights;
    private final CalibrationClock clock;
    private Distillation.Loss last;
    /** Per tensor, the step unit of each channel, fixed at the first run. */
    private float[][] units;
    /** Per tensor, the weights at the first run: the centre of each weight's allowed interval. */
    private float[][] anchors;

    public Reconstruction(TransformKernels transforms, OnnxExecutor executor, Distillation distillation, BatchSampler sampler,
            Distillation.Weights weights, CalibrationClock clock) {
        this.transforms = transforms;
        this.executor = executor;
        this.distillation = distillation;
        this.sampler = sampler;
        this.weights = weights;
        this.clock = clock;
    }

    /** The loss parts at the last step (total is null), or null before the first. */
    public Distillation.Loss lastLoss() {
        return last;
    }

    /**
     * {@code steps} Adam steps (fresh moments) on the weights of {@code optimizer}'s tensors at its
     * present transform parameters.
     */
    public void run(TransformOptimizer optimizer, int steps, double learningRate, Listener listener) throws L2cException {
        int count = optimizer.tensorCount();
        CalibTensor[] tensors = new CalibTensor[count];
        FloatBuffer[] params = new FloatBuffer[count];
        FloatBuffer[] wHat = new FloatBuffer[count];
        FloatBuffer[] gWHat = new FloatBuffer[count];
        FloatBuffer[] gW = new FloatBuffer[count];
        if (units == null) {
            units = new float[count][];
            anchors = new float[count][];
        }
        float[][] m = new float[count][];
        float[][] v = new float[count][];
        for (int l = 0; l < count; l++) {
            tensors[l] = optimizer.tensor(l);
            int n = Math.toIntExact(tensors[l].elements());
            float[] p = optimizer.params(l);
            params[l] = TransformOptimizer.floats(p.length).put(p).flip();
            int ch = optimizer.channels(l).count();
            if (units[l] == null) {
                int per = optimizer.kind(l).paramsPerChannel;
                units[l] = java.util.Arrays.copyOfRange(p, (per - 1) * ch, per * ch);
                anchors[l] = new float[n];
                tensors[l].weights().get(0, anchors[l]);
            }
            wHat[l] = TransformOptimizer.floats(n);
            gWHat[l] = TransformOptimizer.floats(n);
            gW[l] = TransformOptimizer.floats(n);
            m[l] = new float[n];
            v[l] = new float[n];
        }
        boolean[][] zero = new boolean[count][];
        for (int step = 1; step <= steps; step++) {
            for (int l = 0; l < count; l++) {
                CalibTensor t = tensors[l];
                transforms.forward(optimizer.kind(l), t.weights(), t.elements(), optimizer.channels(l), params[l], null, null, wHat[l]);
                if (step == 1) {
                    zero[l] = new boolean[m[l].length];
                    for (int i = 0; i < zero[l].length; i++) zero[l][i] = wHat[l].get(i) == 0;
                }
            }
            last = StudentWeights.step(executor, distillation, sampler, tensors, wHat, weights, clock, gWHat);
            double progress = steps == 1 ? 1 : (step - 1.0) / (steps - 1.0);
            double lr = learningRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * progress)));
            double c1 = 1 - Math.pow(BETA1, step);
            double c2 = 1 - Math.pow(BETA2, step);
            for (int l = 0; l < count; l++) {
                CalibTensor t = tensors[l];
                Channels channels = optimizer.channels(l);
                transforms.backward(optimizer.kind(l), t.weights(), t.elements(), channels, params[l], gWHat[l], null, gW[l], null);
                FloatBuffer w = t.weights();
                float[] ml = m[l];
                float[] vl = v[l];
                boolean[] frozen = zero[l];
                for (int i = 0, n = ml.length; i < n; i++) {
                    if (frozen[i]) continue;
                    double g = gW[l].get(i);
                    if (!Double.isFinite(g)) throw new L2cException("tensor " + t.name() + ": the reconstruction gradient is not finite");
                    ml[i] = (float) (BETA1 * ml[i] + (1 - BETA1) * g);
                    vl[i] = (float) (BETA2 * vl[i] + (1 - BETA2) * g * g);
                    double unit = units[l][channels.of(i)];
                    double update = lr * unit * (ml[i] / c1) / (Math.sqrt(vl[i] / c2) + EPSILON);
                    double anchor = anchors[l][i];
                    w.put(i, (float) Math.max(anchor - unit, Math.min(anchor + unit, w.get(i) - update)));
                }
            }
            if (listener != null) listener.step(step, steps);
        }
    }
}
