package dev.l2c.graph;

import static dev.l2c.graph.GraphBuilder.attr;
import static dev.l2c.graph.GraphBuilder.ints;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.model.DType;
import dev.l2c.model.OnnxModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gradients from backward() through the executor against central finite differences, on float64
 * graphs (so the differences are accurate to ~1e-9): a weight initializer is replaced by a leaf
 * that requires grad, the loss is sum(Y * R) for a fixed random R.
 */
class OnnxExecutorGradientTest {
    private static final double H = 1e-6;
    private static final int SAMPLES = 12;

    @TempDir
    Path dir;

    private static double[] gaussian(Random rnd, int n, double std) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextGaussian() * std;
        return v;
    }

    private static double[] uniform(Random rnd, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + rnd.nextDouble() * (hi - lo);
        return v;
    }

    /** X[3,2,6,6] -> Conv -> BatchNormalization -> Relu -> Flatten -> Gemm -> Y[3,4]. */
    private Path convNet() throws L2cException {
        Random rnd = new Random(21);
        GraphBuilder b = new GraphBuilder("conv-grad");
        b.input("X", DType.F64, 3, 2, 6, 6);
        b.initializer("W", gaussian(rnd, 3 * 2 * 9, 0.4), 3, 2, 3, 3);
        b.initializer("B", gaussian(rnd, 3, 0.1), 3);
        b.initializer("scale", uniform(rnd, 3, 0.5, 1.5), 3);
        b.initializer("shift", gaussian(rnd, 3, 0.1), 3);
        b.initializer("mean", gaussian(rnd, 3, 0.1), 3);
        b.initializer("var", uniform(rnd, 3, 0.5, 1.5), 3);
        b.initializer("Wg", gaussian(rnd, 4 * 108, 0.2), 4, 108);
        b.initializer("Bg", gaussian(rnd, 4, 0.1), 4);
        String c = b.node("Conv", List.of("X", "W", "B"), ints("pads", 1, 1, 1, 1));
        String n = b.node("BatchNormalization", List.of(c, "scale", "shift", "mean", "var"));
        String r = b.node("Relu", List.of(n));
        String f = b.node("Flatten", List.of(r));
        b.node("Gemm", List.of(f, "Wg", "Bg"), List.of("Y"), attr("transB", 1L));
        b.output("Y", DType.F64, 3, 4);
        return b.write(dir.resolve("conv.onnx"));
    }

    /**
     * X[2,5,8] -> MatMul W1 -> layer norm written out (ReduceMean, Sub, Pow, Sqrt, Div) ->
     * Softmax -> Mul -> Erf -> MatMul W2 -> Y[2,5,3], the attention-and-GELU ops of BERT.
     */
    private Path attentionNet() throws L2cException {
        Random rnd = new Random(22);
        GraphBuilder b = new GraphBuilder("softmax-grad");
        b.input("X", DType.F64, 2, 5, 8);
        b.initializer("W1", gaussian(rnd, 8 * 6, 0.5), 8, 6);
        b.initializer("W2", gaussian(rnd, 6 * 3, 0.5), 6, 3);
        b.initializer("two", new double[] {2.0});
        b.initializer("eps", new double[] {1e-5});
        b.initializer("gain", new double[] {1.7});
        String h = b.node("MatMul", List.of("X", "W1"));
        String mu = b.node("ReduceMean", List.of(h), ints("axes", -1));
        String d = b.node("Sub", List.of(h, mu));
        String sq = b.node("Pow", List.of(d, "two"));
        String v = b.node("ReduceMean", List.of(sq), ints("axes", -1));
        String sd = b.node("Sqrt", List.of(b.node("Add", List.of(v, "eps"))));
        String norm = b.node("Div", List.of(d, sd));
        String s = b.node("Softmax", List.of(norm), attr("axis", -1L));
        String e = b.node("Erf", List.of(b.node("Mul", List.of(s, "gain"))));
        b.node("MatMul", List.of(e, "W2"), List.of("Y"));
        b.output("Y", DType.F64, 2, 5, 3);
        return b.write(dir.resolve("attention.onnx"));
    }

    /**
     * The zoo's MobileNet and ViT operators: X[2,4,6,6] -> depthwise Conv (group 4) -> Clip with
     * min/max inputs -> MaxPool 2x2 -> Reshape [2,4,9] -> Transpose [2,9,4] -> LayerNormalization
     * -> MatMul Wq -> heads [2,2,9,2] (Reshape, Transpose) -> Softmax(Q Q^T) Q -> Y[2,2,9,2].
     */
    private Path depthwiseAttentionNet() throws L2cException {
        Random rnd = new Random(23);
        GraphBuilder b = new GraphBuilder("depthwise-attention-grad");
        b.input("X", DType.F64, 2, 4, 6, 6);
        b.initializer("Wd", gaussian(rnd, 4 * 9, 0.5), 4, 1, 3, 3);
        b.initializer("lo", new double[] {-0.6});
        b.initializer("hi", new double[] {0.6});
        b.initializer("gamma", uniform(rnd, 4, 0.5, 1.5), 4);
        b.initializer("beta", gaussian(rnd, 4, 0.1), 4);
        b.initializer("Wq", gaussian(rnd, 4 * 4, 0.5), 4, 4);
        b.initializer("tokens", new long[] {2, 4, 9}, 3);
        b.initializer("heads", new long[] {2, 9, 2, 2}, 4);
        String c = b.node("Conv", List.of("X", "Wd"), ints("pads", 1, 1, 1, 1), attr("group", 4L));
        String clipped = b.node("Clip", List.of(c, "lo", "hi"));
        String pooled = b.node("MaxPool", List.of(clipped), ints("kernel_shape", 2, 2), ints("strides", 2, 2));
        String t = b.node("Transpose", List.of(b.node("Reshape", List.of(pooled, "tokens"))), ints("perm", 0, 2, 1));
        String n = b.node("LayerNormalization", List.of(t, "gamma", "beta"), attr("axis", -1L));
        String q = b.node("Reshape", List.of(b.node("MatMul", List.of(n, "Wq")), "heads"));
        q = b.node("Transpose", List.of(q), ints("perm", 0, 2, 1, 3));
        String scores = b.node("MatMul", List.of(q, b.node("Transpose", List.of(q), ints("perm", 0, 1, 3, 2))));
        String weights = b.node("Softmax", List.of(scores), attr("axis", -1L));
        b.node("MatMul", List.of(weights, q), List.of("Y"));
        b.output("Y", DType.F64, 2, 2, 9, 2);
        return b.write(dir.resolve("depthwise-attention.onnx"));
    }

    @Test
    void depthwiseClipMaxPoolLayerNormAttention() throws Exception {
        Path file = depthwiseAttentionNet();
        try (OnnxExecutor exec = OnnxExecutor.of(OnnxModel.read(file))) {
            exec.setTraining(true);
            for (String w : List.of("Wd", "gamma", "beta", "Wq")) check(exec, new long[] {2, 4, 6, 6}, w);
        }
    }

    @Test
    void convBatchNormReluGemm() throws Exception {
        Path file = convNet();
        try (OnnxExecutor exec = OnnxExecutor.of(OnnxModel.read(file))) {
            check(exec, new long[] {3, 2, 6, 6}, "W");
            check(exec, new long[] {3, 2, 6, 6}, "Wg");
            check(exec, new long[] {3, 2, 6, 6}, "scale");
            exec.setTraining(true); // batch statistics are differentiated too
            check(exec, new long[] {3, 2, 6, 6}, "W");
        }
    }

    @Test
    void matMulLayerNormSoftmaxErf() throws Exception {
        Path file = attentionNet();
        try (OnnxExecutor exec = OnnxExecutor.of(OnnxModel.read(file))) {
            check(exec, new long[] {2, 5, 8}, "W1");
            check(exec, new long[] {2, 5, 8}, "W2");
        }
    }

    /** Analytic gradient of sum(Y*R) for {@code weight} against central differences at sampled elements. */
    private static void check(OnnxExecutor exec, long[] xShape, String weight) throws L2cException {
        Random rnd = new Random(weight.hashCode());
        try (PointerScope scope = new PointerScope()) {
            int xn = (int) java.util.Arrays.stream(xShape).reduce(1, (a, c) -> a * c);
            Map<String, Tensor> feeds = Map.of("X", Tensors.fromDoubles(gaussian(rnd, xn, 1.0), xShape));
            double[] w0 = Tensors.toDoubles(exec.initializer(weight));
            long[] wShape = Tensors.shape(exec.initializer(weight));
            Tensor leaf = Tensors.fromDoubles(w0, wShape).set_requires_grad(true);
            exec.setInitializer(weight, leaf);
            Tensor y = exec.run(feeds, List.of("Y")).get("Y");
            double[] r = gaussian(rnd, (int) y.numel(), 1.0);
            Tensor rt = Tensors.fromDoubles(r, Tensors.shape(y));
            y.mul(rt).sum().backward();
            double[] analytic = Tensors.toDoubles(leaf.grad());

            for (int k = 0; k < SAMPLES; k++) {
                int i = rnd.nextInt(w0.length);
                double up = loss(exec, feeds, weight, w0, wShape, i, +H, r);
                double down = loss(exec, feeds, weight, w0, wShape, i, -H, r);
                double numeric = (up - down) / (2 * H);
                double err = Math.abs(numeric - analytic[i]);
                assertTrue(err <= 1e-6 * Math.max(1.0, Math.abs(numeric)),
                        weight + "[" + i + "]: analytic " + analytic[i] + ", numeric " + numeric);
            }
            exec.resetInitializer(weight);
        }
    }

    private static double loss(OnnxExecutor exec, Map<String, Tensor> feeds, String weight, double[] w0, long[] shape,
            int i, double delta, double[] r) throws L2cException {
        try (PointerScope scope = new PointerScope()) {
            double[] w = w0.clone();
            w[i] += delta;
            exec.setInitializer(weight, Tensors.fromDoubles(w, shape));
            double[] y = Tensors.toDoubles(exec.run(feeds, List.of("Y")).get("Y"));
            double sum = 0;
            for (int j = 0; j < y.length; j++) sum += y[j] * r[j];
            return sum;
        }
    }
}
