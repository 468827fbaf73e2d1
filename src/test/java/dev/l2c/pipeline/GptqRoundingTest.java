package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.calib.LayerGram;
import dev.l2c.model.Tensor;
import dev.l2c.transform.Channels;
import dev.l2c.transform.QuantizedTensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * GPTQ on the two layouts {@link LayerGram} describes: the output error it reports is the one
 * measured directly on the inputs X with the decoded weights, so the weight's inputs line up with H
 * ([in, out] transposed; grouped [out, k] per group), and it is below round-to-nearest's.
 */
class GptqRoundingTest {
    private static final int N = 60;

    @Test
    void reportedOutputErrorIsTheMeasuredOneOnBothLayouts() throws Exception {
        Random rnd = new Random(17);
        // MatMul's second operand: W [in 6, out 4]; X [N, 6] with correlated columns.
        int in = 6;
        int out = 4;
        float[] x1 = inputs(rnd, N, in);
        float[] w1 = gaussian(rnd, in * out);
        // A grouped convolution's weight: [out 4, k 3], 2 groups of 2 outputs, X [N, 2 * 3].
        int k = 3;
        int groups = 2;
        float[] x2 = inputs(rnd, N, groups * k);
        float[] w2 = gaussian(rnd, 4 * k);
        Tensor t1 = Tensor.ofFloats("mm.weight", new long[] {in, out}, w1);
        Tensor t2 = Tensor.ofFloats("conv.weight", new long[] {4, k, 1, 1}, w2);
        Tensor t3 = Tensor.ofFloats("conv.bias", new long[] {4}, gaussian(rnd, 4));
        try (LayerGram g1 = new LayerGram("mm.weight", LayerGram.View.IN_OUT, 1, in);
                LayerGram g2 = new LayerGram("conv.weight", LayerGram.View.OUT_IN, groups, k)) {
            g1.add(torch.from_blob(new FloatPointer(x1), new long[] {N, in}).clone());
            g2.add(torch.from_blob(new FloatPointer(x2), new long[] {N, groups * k}).clone());
            GptqRounding r = new GptqRounding(List.of(t1, t2, t3), List.of(w1, w2, t3.toFloatArray()),
                    Map.of("mm.weight", g1, "conv.weight", g2));
            assertTrue(r.modelled(0) && r.modelled(1));
            assertFalse(r.modelled(2));
            assertEquals(1, r.channels(0).axis(), "[in, out]: one step per output, along axis 1");
            assertEquals(0, r.channels(1).axis());
            double factor = 0.4;
            List<BaselineReport.LayerError> errors = r.errors(factor);
            assertEquals(2, errors.size());

            float[] d1 = decoded(r.quantize(0, factor), r.channels(0), w1.length);
            double num = 0;
            double den = 0;
            for (int n = 0; n < N; n++) {
                for (int o = 0; o < out; o++) {
                    double y = 0;
                    double yHat = 0;
                    for (int i = 0; i < in; i++) {
                        y += x1[n * in + i] * (double) w1[i * out + o];
                        yHat += x1[n * in + i] * (double) d1[i * out + o];
                    }
                    num += (yHat - y) * (yHat - y);
                    den += y * y;
                }
            }
            assertEquals(num / den, errors.get(0).gptq(), 1e-4 * num / den);

            float[] d2 = decoded(r.quantize(1, factor), r.channels(1), w2.length);
            num = 0;
            den = 0;
            for (int n = 0; n < N; n++) {
                for (int o = 0; o < 4; o++) {
                    int g = o / 2;
                    double y = 0;
                    double yHat = 0;
                    for (int i = 0; i < k; i++) {
                        double xv = x2[n * groups * k + g * k + i];
                        y += xv * w2[o * k + i];
                        yHat += xv * d2[o * k + i];
                    }
                    num += (yHat - y) * (yHat - y);
                    den += y * y;
                }
            }
            assertEquals(num / den, errors.get(1).gptq(), 1e-4 * num / den);
            for (BaselineReport.LayerError e : errors) {
                assertTrue(e.gptq() <= e.roundToNearest(), e.toString());
            }
        }
    }

    private static float[] decoded(QuantizedTensor q, Channels channels, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((double) q.alphabet()[q.symbols().get(i) & 0xffff] * q.params()[channels.of(i)]);
        return v;
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) rnd.nextGaussian();
        return w;
    }

    /** Rows with a shared component, so H is far from diagonal and GPTQ has something to use. */
    private static float[] inputs(Random rnd, int rows, int cols) {
        float[] x = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            double common = rnd.nextGaussian();
            for (int c = 0; c < cols; c++) x[r * cols + c] = (float) (rnd.nextGaussian() + 1.5 * common);
        }
        return x;
    }
}
