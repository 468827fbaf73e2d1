package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.calib.LayerGram;
import dev.l2c.model.Tensor;
import dev.l2c.transform.Channels;
import dev.l2c.transform.GptqQuantizer;
import dev.l2c.transform.LearnedSymbols;
import dev.l2c.transform.QuantizedTensor;
import dev.l2c.transform.TransformKind;
import dev.l2c.transform.UniformQuantizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The lossy step of {@code --method gptq} for a set of tensors at a relative step factor f: one
 * step per output channel, f times the channel's max|w| (the rule of
 * {@link UniformQuantizer#quantizeRelative}), and {@link GptqQuantizer} rounding for every tensor
 * whose layer input Gram matrices were collected; the others (Gather tables, biases, weights no
 * MatMul/Gemm/Conv multiplies) are rounded to nearest with the same steps (biases and other
 * tensors of rank below 2 at a factor of at most {@link BaselineRatioCompressor#VECTOR_FACTOR}).
 *
 * <p>Layouts, as {@link LayerGram} views them: OUT_IN (Conv [out, in/groups * kh * kw], Gemm with
 * transB, MatMul's first operand) is [groups, rows, k] in memory, channels along axis 0; IN_OUT
 * (MatMul's second operand, Gemm B without transB, [in, out]) is transposed so that rows are the
 * outputs, channels along axis 1. H^-1's factor is computed once per group here; each probe of the
 * step search reruns only the column loop.
 */
final class GptqRounding {
    private record Layer(LayerGram.View view, int groups, int rows, int k, double[][] h, GptqQuantizer[] quantizers) {}

    private final List<Tensor> tensors;
    private final List<float[]> weights;
    private final Layer[] layers;

    /**
     * {@code grams}: the Gram matrices by tensor name (read here; the caller may close them
     * afterwards). A gram whose size does not fit its tensor is refused, naming the tensor.
     */
    GptqRounding(List<Tensor> tensors, List<float[]> weights, Map<String, LayerGram> grams) {
        this.tensors = tensors;
        this.weights = weights;
        this.layers = new Layer[tensors.size()];
        for (int j = 0; j < tensors.size(); j++) {
            Tensor t = tensors.get(j);
            LayerGram g = grams.get(t.name());
            if (g == null) continue;
            long per = (long) g.groups() * g.k();
            if (t.numel() % per != 0 || (g.view() == LayerGram.View.IN_OUT && (t.rank() != 2 || t.shape()[0] != g.k()))) {
                throw new IllegalArgumentException("tensor " + t.name() + ": statistics for " + g.groups() + " x " + g.k()
                        + " inputs do not fit shape " + java.util.Arrays.toString(t.shape()));
            }
            int rows = Math.toIntExact(t.numel() / per);
            double[][] h = new double[g.groups()][];
            GptqQuantizer[] qs = new GptqQuantizer[g.groups()];
            for (int gi = 0; gi < g.groups(); gi++) {
                h[gi] = g.matrix(gi);
                qs[gi] = new GptqQuantizer(h[gi], g.k());
            }
            layers[j] = new Layer(g.view(), g.groups(), rows, g.k(), h, qs);
        }
    }

    /** Whether tensor j is rounded by GPTQ (false: round to nearest). */
    boolean modelled(int j) {
        return layers[j] != null;
    }

    /** The channels tensor j's steps run along: its outputs. */
    Channels channels(int j) {
        Tensor t = tensors.get(j);
        Layer l = layers[j];
        if (l != null && l.view == LayerGram.View.IN_OUT) return Channels.along(t.shape(), 1);
        return t.rank() >= 2 ? Channels.along(t.shape(), 0) : Channels.whole(t.numel());
    }

    /** Tensor j quantized at step factor {@code factor}. */
    QuantizedTensor quantize(int j, double factor) throws L2cException {
        Tensor t = tensors.get(j);
        Channels channels = channels(j);
        Layer l = layers[j];
        if (l == null) {
            return UniformQuantizer.quantizeRelative(t.name(), weights.get(j), channels, BaselineRatioCompressor.factorFor(t, factor));
        }
        float[] steps = UniformQuantizer.relativeSteps(t.name(), weights.get(j), channels, factor);
        int[] q = symbols(j, factor, steps, true);
        IntBuffer buffer = ByteBuffer.allocateDirect(4 * Math.max(1, q.length)).order(ByteOrder.nativeOrder()).asIntBuffer();
        buffer.put(q);
        return LearnedSymbols.remap(t.name(), buffer, q.length, TransformKind.UNIFORM, channels, steps);
    }

    /** Per modelled layer, plain rounding's and GPTQ's relative output error at {@code factor}. */
    List<BaselineReport.LayerError> errors(double factor) throws L2cException {
        List<BaselineReport.LayerError> out = new ArrayList<>();
        for (int j = 0; j < tensors.size(); j++) {
            Layer l = layers[j];
            if (l == null) continue;
            Tensor t = tensors.get(j);
            float[] steps = UniformQuantizer.relativeSteps(t.name(), weights.get(j), channels(j), factor);
            double[] rtn = outputError(j, symbols(j, factor, steps, false), steps);
            double[] gptq = outputError(j, symbols(j, factor, steps, true), steps);
            out.add(new BaselineReport.LayerError(t.name(), l.view.name().toLowerCase(java.util.Locale.ROOT), l.groups, l.k,
                    ratio(rtn), ratio(gptq)));
        }
        return out;
    }

    private static double ratio(double[] numDen) {
        return numDen[1] > 0 ? numDen[0] / numDen[1] : numDen[0];
    }

    /** Symbols of tensor j in its flat (row-major) order, by GPTQ or by plain rounding. */
    private int[] symbols(int j, double factor, float[] steps, boolean gptq) {
        Layer l = layers[j];
        int levels = UniformQuantizer.levels(factor);
        float[] w = weights.get(j);
        int[] out = new int[w.length];
        for (int g = 0; g < l.groups; g++) {
            double[] m = matrix(j, g);
            float[] rowSteps = java.util.Arrays.copyOfRange(steps, g * l.rows, (g + 1) * l.rows);
            int[] q = gptq ? l.quantizers[g].quantize(m, l.rows, rowSteps, levels)
                    : GptqQuantizer.roundToNearest(m, l.rows, l.k, rowSteps, levels);
            scatter(j, g, q, out);
        }
        return out;
    }

    /** {tr(dM H dM^T), tr(M H M^T)} summed over the groups, the undampened H. */
    private double[] outputError(int j, int[] q, float[] steps) {
        Layer l = layers[j];
        double num = 0;
        double den = 0;
        int[] gq = new int[l.rows * l.k];
        for (int g = 0; g < l.groups; g++) {
            double[] m = matrix(j, g);
            gather(j, g, q, gq);
            double[] d = new double[m.length];
            for (int r = 0; r < l.rows; r++) {
                double s = steps[g * l.rows + r];
                for (int i = 0; i < l.k; i++) d[r * l.k + i] = gq[r * l.k + i] * s - m[r * l.k + i];
            }
            num += GptqQuantizer.quadratic(d, l.rows, l.k, l.h[g]);
            den += GptqQuantizer.quadratic(m, l.rows, l.k, l.h[g]);
        }
        return new double[] {num, den};
    }

    /** M_g (rows x k) of tensor j in double. */
    private double[] matrix(int j, int g) {
        Layer l = layers[j];
        float[] w = weights.get(j);
        double[] m = new double[l.rows * l.k];
        if (l.view == LayerGram.View.OUT_IN) {
            int base = g * l.rows * l.k;
            for (int i = 0; i < m.length; i++) m[i] = w[base + i];
        } else {
            // W is [k, rows]: M = W^T.
            for (int i = 0; i < l.k; i++) for (int r = 0; r < l.rows; r++) m[r * l.k + i] = w[i * l.rows + r];
        }
        return m;
    }

    private void scatter(int j, int g, int[] q, int[] flat) {
        Layer l = layers[j];
        if (l.view == LayerGram.View.OUT_IN) {
            System.arraycopy(q, 0, flat, g * l.rows * l.k, q.length);
        } else {
            for (int i = 0; i < l.k; i++) for (int r = 0; r < l.rows; r++) flat[i * l.rows + r] = q[r * l.k + i];
        }
    }

    private void gather(int j, int g, int[] flat, int[] q) {
        Layer l = layers[j];
        if (l.view == LayerGram.View.OUT_IN) {
            System.arraycopy(flat, g * l.rows * l.k, q, 0, q.length);
        } else {
            for (int i = 0; i < l.k; i++) for (int r = 0; r < l.rows; r++) q[r * l.k + i] = flat[i * l.rows + r];
        }
    }
}
