package dev.l2c.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.l2c.model.onnx.proto.AttributeProto;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.NodeProto;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The layer-wise objective against the layer run directly on explicit inputs X (plain Java loops):
 * D = ||Y(W - What)||^2 / ||Y(W)||^2 for the layer's linear map Y, and its gradient against
 * central differences of that direct D (exact for a quadratic, up to rounding).
 */
class LayerwiseObjectiveTest {
    private static final Random RND = new Random(11);

    /** One layer: its node, the weight's slot and shape, the other inputs (batches) and Y as a direct function. */
    private record Case(NodeProto node, int slot, long[] wShape, List<List<float[]>> batches, List<long[]> inputShapes,
            Function<double[], Double> outputSquares) {}

    @Test
    void matMulWeightAsSecondInputOverTwoBatches() throws Exception {
        int in = 6;
        int out = 5;
        List<float[]> xs = List.of(random(2 * 7 * in), random(2 * 7 * in));
        check(new Case(node("MatMul", "x", "w"), 1, new long[] {in, out},
                List.of(List.of(xs.get(0)), List.of(xs.get(1))), List.of(new long[] {2, 7, in}),
                dw -> {
                    double s = 0;
                    for (float[] x : xs) s += squares(matmul(x, 14, in, dw, out));
                    return s;
                }));
    }

    @Test
    void matMulWeightAsFirstInput() throws Exception {
        int out = 4;
        int in = 5;
        int cols = 3;
        float[] x = random(2 * in * cols);
        check(new Case(node("MatMul", "w", "x"), 0, new long[] {out, in}, List.of(List.of(x)), List.of(new long[] {2, in, cols}),
                dw -> {
                    double s = 0;
                    for (int b = 0; b < 2; b++) {
                        for (int o = 0; o < out; o++) {
                            for (int c = 0; c < cols; c++) {
                                double y = 0;
                                for (int i = 0; i < in; i++) y += dw[o * in + i] * x[b * in * cols + i * cols + c];
                                s += y * y;
                            }
                        }
                    }
                    return s;
                }));
    }

    @Test
    void gemmWithTransposedOperands() throws Exception {
        int m = 9;
        int k = 6;
        int n = 4;
        float[] a = random(k * m); // transA: A is [K, M]
        NodeProto gemm = node("Gemm", "a", "w").toBuilder().addAttribute(intAttr("transA", 1)).addAttribute(intAttr("transB", 1))
                .addAttribute(AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.FLOAT).setF(2.5f)).build();
        check(new Case(gemm, 1, new long[] {n, k}, List.of(List.of(a)), List.of(new long[] {k, m}), dw -> {
            double s = 0;
            for (int r = 0; r < m; r++) {
                for (int j = 0; j < n; j++) {
                    double y = 0;
                    for (int i = 0; i < k; i++) y += a[i * m + r] * dw[j * k + i];
                    s += y * y;
                }
            }
            return s;
        }));
    }

    @Test
    void groupedStridedDilatedConvWithAsymmetricPads() throws Exception {
        int c = 4;
        int o = 6;
        int g = 2;
        long[] xShape = {2, c, 9, 8};
        float[] x = random(2 * c * 9 * 8);
        NodeProto conv = node("Conv", "x", "w").toBuilder().addAttribute(intAttr("group", g))
                .addAttribute(ints("strides", 2, 1)).addAttribute(ints("dilations", 1, 2))
                .addAttribute(ints("pads", 1, 0, 2, 3)).build();
        long[] w = {o, c / g, 3, 2};
        check(new Case(conv, 1, w, List.of(List.of(x)), List.of(xShape),
                dw -> squares(conv2d(x, xShape, dw, w, g, new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 0, 2, 3}))));
    }

    @Test
    void conv1dWithSameUpperPadding() throws Exception {
        int c = 3;
        int o = 5;
        long[] xShape = {3, c, 11};
        float[] x = random(3 * c * 11);
        NodeProto conv = node("Conv", "x", "w").toBuilder().addAttribute(ints("strides", 2))
                .addAttribute(AttributeProto.newBuilder().setName("auto_pad").setType(AttributeProto.AttributeType.STRING)
                        .setS(ByteString.copyFromUtf8("SAME_UPPER")))
                .build();
        long[] w = {o, c, 4};
        // SAME_UPPER, input 11, stride 2, kernel 4: output 6, total pad 5 * 2 + 4 - 11 = 3 -> 1 before, 2 after (the odd one at the end)
        check(new Case(conv, 1, w, List.of(List.of(x)), List.of(xShape),
                dw -> squares(conv2d(x, new long[] {3, c, 1, 11}, dw, new long[] {o, c, 1, 4}, 1, new int[] {1, 2}, new int[] {1, 1},
                        new int[] {0, 1, 0, 2}))));
    }

    @Test
    void gatherTableKeepsTheDataFreeTerm() throws Exception {
        float[] table = random(40);
        GraphProto graph = GraphProto.newBuilder().addNode(node("Gather", "table", "ids")).build();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("table", new long[] {10, 4});
        try (LayerStatistics stats = new LayerStatistics(graph, shapes)) {
            assertTrue(stats.grams().isEmpty());
            assertTrue(stats.fallbacks().get("table").contains("Gather"), stats.fallbacks().toString());
            CalibTensor t = new CalibTensor("table", new long[] {10, 4}, DataFreeObjectiveTest.floats(table));
            try (LayerwiseObjective objective = new LayerwiseObjective(List.of(t), stats.grams())) {
                assertFalse(objective.modelled(0));
                float[] r = table.clone();
                r[3] += 0.5f;
                double d = objective.evaluate(new FloatBuffer[] {DataFreeObjectiveTest.floats(r)}, null);
                assertEquals(DataFreeObjective.relativeError(t.weights(), r), d, 1e-12);
            }
        }
    }

    /** Builds the statistics from the case's batches, then compares D and its gradient with the direct layer. */
    private static void check(Case c) throws Exception {
        String weight = c.node.getInput(c.slot);
        GraphProto graph = GraphProto.newBuilder().addNode(c.node).build();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put(weight, c.wShape);
        int n = 1;
        for (long d : c.wShape) n *= (int) d;
        float[] w = random(n);
        try (LayerStatistics stats = new LayerStatistics(graph, shapes)) {
            assertTrue(stats.fallbacks().isEmpty(), stats.fallbacks().toString());
            Tensor wt = TorchBuffers.copyOf(DataFreeObjectiveTest.floats(w), torch.ScalarType.Float, c.wShape);
            for (List<float[]> batch : c.batches) {
                List<Tensor> inputs = new ArrayList<>();
                int other = 0;
                for (int i = 0; i < c.node.getInputCount(); i++) {
                    if (i == c.slot) {
                        inputs.add(wt);
                    } else {
                        inputs.add(TorchBuffers.copyOf(DataFreeObjectiveTest.floats(batch.get(other)), torch.ScalarType.Float,
                                c.inputShapes.get(other)));
                        other++;
                    }
                }
                stats.node(c.node, inputs, List.of());
            }
            CalibTensor t = new CalibTensor(weight, c.wShape, DataFreeObjectiveTest.floats(w));
            float[] r = new float[n];
            for (int i = 0; i < n; i++) r[i] = w[i] + (float) RND.nextGaussian() * 0.1f;
            FloatBuffer grad = DataFreeObjectiveTest.floats(new float[n]);
            try (LayerwiseObjective objective = new LayerwiseObjective(List.of(t), stats.grams())) {
                assertTrue(objective.modelled(0));
                double d = objective.evaluate(new FloatBuffer[] {DataFreeObjectiveTest.floats(r)}, new FloatBuffer[] {grad});
                double[] dw = new double[n];
                double[] wd = new double[n];
                for (int i = 0; i < n; i++) {
                    dw[i] = (double) r[i] - w[i];
                    wd[i] = w[i];
                }
                double den = c.outputSquares.apply(wd);
                double direct = c.outputSquares.apply(dw) / den;
                assertEquals(direct, d, 1e-6 * direct); // Gram matrices are accumulated from float32 batch products
                assertEquals(d, objective.lastTerm(0), 0);
                double h = 1e-3;
                for (int i = 0; i < n; i++) {
                    double saved = dw[i];
                    dw[i] = saved + h;
                    double plus = c.outputSquares.apply(dw) / den;
                    dw[i] = saved - h;
                    double minus = c.outputSquares.apply(dw) / den;
                    dw[i] = saved;
                    double numeric = (plus - minus) / (2 * h);
                    assertEquals(numeric, grad.get(i), 1e-5 * Math.max(1e-3, Math.abs(numeric)), "element " + i);
                }
            }
        }
    }

    /** ONNX Conv 2D (no bias) of x [N, C, H, W] with w [O, C/g, kh, kw]; pads {top, left, bottom, right}. */
    private static double[] conv2d(float[] x, long[] xs, double[] w, long[] ws, int groups, int[] stride, int[] dil, int[] pads) {
        int nb = (int) xs[0];
        int c = (int) xs[1];
        int h = (int) xs[2];
        int wd = (int) xs[3];
        int o = (int) ws[0];
        int cg = (int) ws[1];
        int kh = (int) ws[2];
        int kw = (int) ws[3];
        int oh = (h + pads[0] + pads[2] - ((kh - 1) * dil[0] + 1)) / stride[0] + 1;
        int ow = (wd + pads[1] + pads[3] - ((kw - 1) * dil[1] + 1)) / stride[1] + 1;
        double[] y = new double[nb * o * oh * ow];
        int og = o / groups;
        for (int b = 0; b < nb; b++) {
            for (int oc = 0; oc < o; oc++) {
                int g = oc / og;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = 0;
                        for (int ic = 0; ic < cg; ic++) {
                            for (int u = 0; u < kh; u++) {
                                for (int v = 0; v < kw; v++) {
                                    int yy = i * stride[0] - pads[0] + u * dil[0];
                                    int xx = j * stride[1] - pads[1] + v * dil[1];
                                    if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                                    int channel = g * cg + ic;
                                    s += w[((oc * cg + ic) * kh + u) * kw + v] * x[((b * c + channel) * h + yy) * wd + xx];
                                }
                            }
                        }
                        y[((b * o + oc) * oh + i) * ow + j] = s;
                    }
                }
            }
        }
        return y;
    }

    private static double[] matmul(float[] x, int rows, int in, double[] w, int out) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                double s = 0;
                for (int i = 0; i < in; i++) s += x[r * in + i] * w[i * out + j];
                y[r * out + j] = s;
            }
        }
        return y;
    }

    private static double squares(double[] y) {
        double s = 0;
        for (double v : y) s += v * v;
        return s;
    }

    private static float[] random(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) RND.nextGaussian();
        return v;
    }

    private static NodeProto node(String op, String a, String b) {
        return NodeProto.newBuilder().setOpType(op).setName(op.toLowerCase()).addInput(a).addInput(b).addOutput("y").build();
    }

    private static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) b.addInts(x);
        return b.build();
    }
}
