package dev.l2c.calib;

import dev.l2c.L2cException;
import dev.l2c.graph.OnnxExecutor;
import dev.l2c.transform.TransformKernels;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.PointerScope;

/**
 * The held-back check of KD calibration: measures the student at an optimizer's present state
 * (transform parameters and weights) on the samples KD never trains on ({@link HeldBackSplit}), and
 * keeps copies of states so that a round that makes the held-back signal worse can be undone.
 */
public final class HeldBackGuard {
    /** A copy of every tensor's transform parameters and weights. */
    public record State(float[][] params, float[][] weights) {}

    private final TransformKernels transforms;
    private final OnnxExecutor executor;
    private final Distillation distillation;
    private final int[] heldBack;
    private final int batch;

    public HeldBackGuard(TransformKernels transforms, OnnxExecutor executor, Distillation distillation, int[] heldBack, int batch) {
        this.transforms = transforms;
        this.executor = executor;
        this.distillation = distillation;
        this.heldBack = heldBack.clone();
        this.batch = batch;
    }

    /** Held-back samples. */
    public int samples() {
        return heldBack.length;
    }

    /** The student's signal on the held-back samples at {@code optimizer}'s present parameters and weights. */
    public Distillation.Signal measure(TransformOptimizer optimizer) throws L2cException {
        if (heldBack.length == 0) return new Distillation.Signal(0, Double.NaN, Double.NaN);
        int count = optimizer.tensorCount();
        CalibTensor[] tensors = new CalibTensor[count];
        FloatBuffer[] wHat = new FloatBuffer[count];
        for (int l = 0; l < count; l++) {
            tensors[l] = optimizer.tensor(l);
            float[] p = optimizer.params(l);
            FloatBuffer params = TransformOptimizer.floats(p.length).put(p).flip();
            wHat[l] = TransformOptimizer.floats(Math.toIntExact(tensors[l].elements()));
            transforms.forward(optimizer.kind(l), tensors[l].weights(), tensors[l].elements(), optimizer.channels(l), params, null, null,
                    wHat[l]);
        }
        try (PointerScope scope = new PointerScope()) {
            StudentWeights.installFixed(executor, tensors, wHat);
            return distillation.measure(heldBack, batch);
        } finally {
            StudentWeights.reset(executor, tensors);
        }
    }

    /** A copy of {@code optimizer}'s parameters and weights. */
    public static State snapshot(TransformOptimizer optimizer) {
        int count = optimizer.tensorCount();
        float[][] params = new float[count][];
        float[][] weights = new float[count][];
        for (int l = 0; l < count; l++) {
            params[l] = optimizer.params(l);
            FloatBuffer w = optimizer.tensor(l).weights();
            weights[l] = new float[w.limit()];
            w.get(0, weights[l]);
        }
        return new State(params, weights);
    }

    /** Puts {@code state} back into {@code optimizer} (its parameters, and its tensors' weights in place). */
    public static void restore(TransformOptimizer optimizer, State state) {
        for (int l = 0; l < optimizer.tensorCount(); l++) {
            optimizer.setParams(l, state.params()[l]);
            optimizer.tensor(l).weights().put(0, state.weights()[l]);
        }
    }

    /** Puts back only the weights of {@code state} (the transform parameters stay). */
    public static void restoreWeights(TransformOptimizer optimizer, State state) {
        for (int l = 0; l < optimizer.tensorCount(); l++) optimizer.tensor(l).weights().put(0, state.weights()[l]);
    }
}
