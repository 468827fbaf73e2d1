package dev.l2c.calib;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Layer-wise distortion (docs/DESIGN.md, "Objective and ratio control"): for each calibrated
 * weight that a linear layer multiplies, D_l = ||(W_l - What_l) X_l||^2 / ||W_l X_l||^2, the
 * relative error of the layer's output on the calibration inputs, computed from H_l = X_l^T X_l
 * alone:
 * D_l = sum_g tr(dM_g H_g dM_g^T) / sum_g tr(M_g H_g M_g^T) with M the weight viewed as
 * {@link LayerGram} describes, dM = What - W, and dD_l/dWhat = 2 dM H / tr(M H M^T) (H is
 * symmetric). Normalized like the data-free term, so the optimizer's lambda heuristic carries
 * over. Weights without statistics (see {@link LayerStatistics#fallbacks()}) keep the data-free
 * term ||dW||^2 / ||W||^2. D is the sum of the terms; each tensor's term is reported separately.
 *
 * <p>A layer whose inputs were all zero (tr(M H M^T) = 0) has no output to preserve: its term is
 * the unnormalized tr(dM H dM^T), which is then 0 too.
 */
public final class LayerwiseObjective implements Objective, AutoCloseable {
    private final CalibTensor[] tensors;
    private final LayerGram[] grams;
    private final Tensor[] weights;
    private final double[] inverseScale;
    private final double[] terms;

    /** {@code grams}: statistics by tensor name; tensors without an entry use the data-free term. */
    public LayerwiseObjective(List<CalibTensor> tensors, Map<String, LayerGram> grams) {
        this.tensors = tensors.toArray(new CalibTensor[0]);
        int count = this.tensors.length;
        this.grams = new LayerGram[count];
        this.weights = new Tensor[count];
        this.inverseScale = new double[count];
        this.terms = new double[count];
        for (int l = 0; l < count; l++) {
            CalibTensor t = this.tensors[l];
            LayerGram g = grams.get(t.name());
            if (g != null && (long) g.groups() * g.k() * rowsPerGroup(t, g) != t.elements()) {
                throw new IllegalArgumentException(t.name() + ": statistics for " + g.groups() + " x " + g.k()
                        + " inputs do not fit " + t.elements() + " weights");
            }
            this.grams[l] = g;
            weights[l] = TorchBuffers.copyOf(t.weights(), torch.ScalarType.Double, matrixShape(t, g));
            try (PointerScope scope = new PointerScope()) {
                double denominator = g == null ? weights[l].square().sum().item_double() : quadratic(weights[l], g);
                inverseScale[l] = denominator > 0 ? 1 / denominator : 1;
            }
        }
    }

    @Override
    public String name() {
        return "layerwise";
    }

    /** Whether tensor l is measured through its layer's inputs (false: data-free term). */
    public boolean modelled(int l) {
        return grams[l] != null;
    }

    @Override
    public double evaluate(FloatBuffer[] wHat, FloatBuffer[] grad) {
        if (wHat.length != tensors.length) {
            throw new IllegalArgumentException(wHat.length + " tensors for an objective over " + tensors.length);
        }
        double total = 0;
        for (int l = 0; l < tensors.length; l++) {
            try (PointerScope scope = new PointerScope()) {
                LayerGram g = grams[l];
                Tensor d = TorchBuffers.copyOf(wHat[l], torch.ScalarType.Double, weights[l].sizes().vec().get()).sub(weights[l]);
                Tensor hd = g == null ? d : product(d, g);
                terms[l] = hd.mul(d).sum().item_double() * inverseScale[l];
                if (grad != null) TorchBuffers.copyInto(hd.mul(new org.bytedeco.pytorch.Scalar(2 * inverseScale[l])), grad[l]);
            }
            total += terms[l];
        }
        return total;
    }

    @Override
    public double lastTerm(int l) {
        return terms[l];
    }

    @Override
    public void close() {
        for (Tensor w : weights) w.close();
    }

    /** tr(M H M^T) for a weight in its matrix shape. */
    private static double quadratic(Tensor w, LayerGram g) {
        return product(w, g).mul(w).sum().item_double();
    }

    /** M H in the weight's matrix shape: H W for [in, out], W_g H_g per group for [groups, rows, k]. */
    private static Tensor product(Tensor w, LayerGram g) {
        return g.view() == LayerGram.View.IN_OUT ? g.h().select(0, 0).mm(w) : torch.bmm(w, g.h());
    }

    private static long rowsPerGroup(CalibTensor t, LayerGram g) {
        return t.elements() / ((long) g.groups() * g.k());
    }

    /** [in, out] for IN_OUT, [groups, rows per group, k] for OUT_IN, flat without statistics. */
    private static long[] matrixShape(CalibTensor t, LayerGram g) {
        if (g == null) return new long[] {t.elements()};
        if (g.view() == LayerGram.View.IN_OUT) return new long[] {g.k(), t.elements() / g.k()};
        return new long[] {g.groups(), rowsPerGroup(t, g), g.k()};
    }
}
