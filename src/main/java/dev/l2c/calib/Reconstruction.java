package dev.l2c.calib;

import dev.l2c.L2cException;
import dev.l2c.graph.OnnxExecutor;
import dev.l2c.transform.Channels;
import dev.l2c.transform.TransformKernels;
import dev.l2c.transform.TransformKind;
import dev.l2c.nativelib.CpuKernels;
import dev.l2c.nativelib.NativeStatus;
import dev.l2c.transform.TransformContext;
import java.nio.ByteBuffer;
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
    // The Adam step's elements are independent: any thread count gives the same bits.
    private static final int ALL_THREADS = 0;

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
    private FloatBuffer[] anchors;

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
        TransformContext[] contexts = new TransformContext[count];
        FloatBuffer[] wHat = new FloatBuffer[count];
        FloatBuffer[] gW = new FloatBuffer[count];
        if (units == null) {
            units = new float[count][];
            anchors = new FloatBuffer[count];
        }
        FloatBuffer[] m = new FloatBuffer[count];
        FloatBuffer[] v = new FloatBuffer[count];
        ByteBuffer[] zero = new ByteBuffer[count];
        try {
            for (int l = 0; l < count; l++) {
                tensors[l] = optimizer.tensor(l);
                int n = Math.toIntExact(tensors[l].elements());
                float[] p = optimizer.params(l);
                contexts[l] = transforms.context(optimizer.kind(l), n, optimizer.channels(l));
                contexts[l].setParams(TransformOptimizer.floats(p.length).put(p).flip());
                int ch = optimizer.channels(l).count();
                if (units[l] == null) {
                    int per = optimizer.kind(l).paramsPerChannel;
                    units[l] = java.util.Arrays.copyOfRange(p, (per - 1) * ch, per * ch);
                    anchors[l] = TransformOptimizer.floats(n).put(0, tensors[l].weights(), 0, n);
                }
                wHat[l] = TransformOptimizer.floats(n);
                gW[l] = TransformOptimizer.floats(n);
                m[l] = TransformOptimizer.floats(n); // direct buffers start at zero
                v[l] = TransformOptimizer.floats(n);
                zero[l] = ByteBuffer.allocateDirect(Math.max(1, n));
            }
            for (int step = 1; step <= steps; step++) {
                for (int l = 0; l < count; l++) {
                    contexts[l].forward(tensors[l].weights(), null, null, wHat[l]);
                    if (step == 1) {
                        for (int i = 0, n = wHat[l].limit(); i < n; i++) zero[l].put(i, (byte) (wHat[l].get(i) == 0 ? 1 : 0));
                    }
                }
                double progress = steps == 1 ? 1 : (step - 1.0) / (steps - 1.0);
                double lr = learningRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * progress)));
                double c1 = 1 - Math.pow(BETA1, step);
                double c2 = 1 - Math.pow(BETA2, step);
                // dL/dWhat is read in libtorch's own gradient tensors, held until the step is done.
                try (LeafGradients g = StudentWeights.stepHandingOver(executor, distillation, sampler, tensors, wHat, weights, clock)) {
                    last = g.loss();
                    for (int l = 0; l < count; l++) {
                        CalibTensor t = tensors[l];
                        contexts[l].backward(t.weights(), g.get(l), null, 1.0, gW[l], null);
                        adamStep(t, optimizer.channels(l), gW[l], m[l], v[l], anchors[l], zero[l], units[l], lr, c1, c2);
                    }
                }
                if (listener != null) listener.step(step, steps);
            }
        } finally {
            for (TransformContext c : contexts) if (c != null) c.close();
        }
    }

    /**
     * Adam on tensor t's weights in place (class comment): natively, in the operations and order of
     * the loop it replaced, so the same bits (l2c/adam_cpu.h).
     */
    private void adamStep(CalibTensor t, Channels channels, FloatBuffer gW, FloatBuffer m, FloatBuffer v, FloatBuffer anchor,
            ByteBuffer frozen, float[] unit, double lr, double c1, double c2) throws L2cException {
        long n = t.elements();
        FloatBuffer w = t.weights();
        if (w.limit() < n || gW.limit() < n || m.limit() < n || v.limit() < n || anchor.limit() < n || frozen.limit() < n
                || unit.length != channels.count()) {
            throw new IllegalArgumentException("tensor " + t.name() + ": reconstruction buffers shorter than " + n);
        }
        long[] errPos = {-1};
        int status = CpuKernels.l2c_recon_adam_step(w.duplicate().position(0), gW.duplicate().position(0),
                m, v, anchor, frozen, n, unit, channels.count(), channels.inner(), lr, BETA1, BETA2, c1, c2, EPSILON,
                ALL_THREADS, errPos);
        if (status == NativeStatus.ERR_NON_FINITE.code) {
            throw new L2cException("tensor " + t.name() + ": the reconstruction gradient is not finite");
        }
        if (status != NativeStatus.OK.code) {
            throw new L2cException("tensor " + t.name() + ": reconstruction step: " + NativeStatus.describe(status));
        }
    }
}
